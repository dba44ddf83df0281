using Hangfire;
using Hangfire.Common;
using Hangfire.States;

namespace Outreach.Tests.Infrastructure;

/// <summary>Stands in for Hangfire's client where a test runs jobs by hand: it records what would have been queued.</summary>
public sealed class RecordingJobClient : IBackgroundJobClient
{
    private readonly List<(Job Job, IState State)> _created = [];

    public IReadOnlyList<(Job Job, IState State)> Created
    {
        get { lock (_created) { return _created.ToList(); } }
    }

    public string Create(Job job, IState state)
    {
        lock (_created)
        {
            _created.Add((job, state));
            return _created.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public bool ChangeState(string jobId, IState state, string expectedState) => true;
}
