using System.ComponentModel.DataAnnotations;
using Outreach.Data.Retention;

namespace Outreach.Jobs.Retention;

/// <summary>How long personal data is kept (section "Retention"); the daily retention job enforces it.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Months an SMS body is kept after the message was queued (the development gateway's copies too).</summary>
    [Range(1, 1200, ErrorMessage = "Retention:SmsBodyMonths must be whole months from 1 to 1200.")]
    public int SmsBodyMonths { get; set; } = 12;

    /// <summary>Months a worker's name, mobile number and email are kept after they stop being active.</summary>
    [Range(1, 1200, ErrorMessage = "Retention:InactiveWorkerContactMonths must be whole months from 1 to 1200.")]
    public int InactiveWorkerContactMonths { get; set; } = 6;

    /// <summary>Months an A&amp;E engagement's reference is kept after the young person's case closes (decision 0013).</summary>
    [Range(1, 1200, ErrorMessage = "Retention:EngagementMonths must be whole months from 1 to 1200.")]
    public int EngagementMonths { get; set; } = 24;

    /// <summary>
    /// Months a safeguarding concern's details are kept after the venue's safeguarding lead acknowledged it or it
    /// was closed, once handed over: the venue holds the lasting record.
    /// </summary>
    [Range(1, 1200, ErrorMessage = "Retention:ConcernDetailMonths must be whole months from 1 to 1200.")]
    public int ConcernDetailMonths { get; set; } = 12;

    /// <summary>The rules in force, one per kind of data the job knows.</summary>
    public IReadOnlyList<RetentionRule> Rules =>
    [
        new(RetentionData.SmsBodies, SmsBodyMonths),
        new(RetentionData.DevelopmentMessages, SmsBodyMonths),
        new(RetentionData.WorkerContacts, InactiveWorkerContactMonths),
        new(RetentionData.EngagementReferences, EngagementMonths),
        new(RetentionData.ConcernDetails, ConcernDetailMonths),
    ];
}
