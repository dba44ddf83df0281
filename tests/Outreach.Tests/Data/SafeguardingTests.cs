using Dapper;
using Npgsql;
using Outreach.Data;
using Outreach.Data.Sessions;
using Outreach.Data.Workers;
using Outreach.Tests.Infrastructure;
using static Outreach.Tests.Infrastructure.WorkerProfiles;

namespace Outreach.Tests.Data;

/// <summary>
/// The DBS rule as the database enforces it, whatever program writes the booking: no check, or a review date
/// on or before the day a session ends, and the row is refused.
/// </summary>
[Collection("Database")]
public sealed class SafeguardingTests(DatabaseFixture db)
{
    [Fact]
    public async Task The_database_refuses_a_booking_that_ends_after_the_workers_DBS_review_date()
    {
        var session = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 16, 10), TimeSpan.FromHours(2));
        var worker = await TestData.WorkerAsync(db.DataSource);
        await DbsReviewAsync(db.DataSource, worker, new DateOnly(2027, 6, 16));

        var refused = await Assert.ThrowsAsync<PostgresException>(() => InsertAssignmentAsync(session, worker));

        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
        Assert.Equal(Dbs.ConstraintName, refused.ConstraintName);
        Assert.Contains("DBS check is due for review on 2027-06-16", refused.MessageText, StringComparison.Ordinal);
        Assert.Equal(0, await AssignmentCountAsync(session));
    }

    [Fact]
    public async Task The_database_refuses_a_booking_for_a_worker_with_no_DBS_check()
    {
        var session = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 16, 10), TimeSpan.FromHours(2));
        var worker = await TestData.WorkerAsync(db.DataSource);
        await DbsReviewAsync(db.DataSource, worker, null);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => InsertAssignmentAsync(session, worker));

        Assert.Equal(Dbs.ConstraintName, refused.ConstraintName);
        Assert.Contains("has no DBS check recorded", refused.MessageText, StringComparison.Ordinal);
        Assert.Equal(0, await AssignmentCountAsync(session));
    }

    [Fact]
    public async Task A_check_reviewed_the_day_after_a_session_covers_it_and_one_reviewed_that_day_does_not()
    {
        // 23:00 to 23:30 UK summer time is 22:00 to 22:30 UTC: the UK date, not the UTC date, decides.
        var late = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 16, 23), TimeSpan.FromMinutes(30));
        var coveredWorker = await TestData.WorkerAsync(db.DataSource);
        await DbsReviewAsync(db.DataSource, coveredWorker, new DateOnly(2027, 6, 17));
        var lapsedWorker = await TestData.WorkerAsync(db.DataSource);
        await DbsReviewAsync(db.DataSource, lapsedWorker, new DateOnly(2027, 6, 16));

        await InsertAssignmentAsync(late, coveredWorker);
        await Assert.ThrowsAsync<PostgresException>(() => InsertAssignmentAsync(late, lapsedWorker));

        Assert.Equal(1, await AssignmentCountAsync(late));
    }

    [Fact]
    public async Task Rebooking_a_withdrawn_assignment_checks_the_DBS_again_but_a_worker_confirming_is_never_refused()
    {
        var first = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 16, 10), TimeSpan.FromHours(2));
        var second = await TestData.SessionAsync(db.DataSource, Uk(2027, 6, 17, 10), TimeSpan.FromHours(2));
        var worker = await TestData.WorkerAsync(db.DataSource);
        var withdrawn = await InsertAssignmentAsync(first, worker);
        var booked = await InsertAssignmentAsync(second, worker);
        await ExecuteAsync("UPDATE outreach.assignments SET status = 'withdrawn' WHERE id = @withdrawn", new { withdrawn });
        // The check lapses after both were booked.
        await DbsReviewAsync(db.DataSource, worker, new DateOnly(2027, 6, 1));

        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            ExecuteAsync("UPDATE outreach.assignments SET status = 'assigned' WHERE id = @withdrawn", new { withdrawn }));
        await ExecuteAsync("UPDATE outreach.assignments SET status = 'confirmed' WHERE id = @booked", new { booked });

        Assert.Equal(Dbs.ConstraintName, refused.ConstraintName);
        Assert.Equal("withdrawn", await StatusAsync(withdrawn));
        Assert.Equal("confirmed", await StatusAsync(booked));
    }

    [Fact]
    public async Task Assigning_through_the_data_layer_explains_an_expired_check_and_books_nothing()
    {
        var session = await TestData.SessionAsync(db.DataSource, DateTime.UtcNow.Date.AddDays(30).AddHours(10), TimeSpan.FromHours(2));
        var worker = await TestData.WorkerAsync(db.DataSource);
        var expired = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-3));
        await DbsReviewAsync(db.DataSource, worker, expired);
        var name = await NameOfAsync(db.DataSource, "youth_workers", worker);

        var outcome = await new SessionData(db.DataSource).AssignAsync(session, worker, Actor.System, CancellationToken.None);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal("WorkerId", error.Field);
        Assert.Equal($"{name}'s DBS check expired on {Dbs.Date(expired)}: they cannot be assigned until it is renewed.", error.Message);
        Assert.Equal(0, await AssignmentCountAsync(session));
    }

    [Fact]
    public async Task Checks_missing_expired_or_due_within_60_days_are_listed_most_urgent_first_and_later_ones_are_not()
    {
        var today = new DateOnly(2031, 3, 1);
        var now = Uk(2031, 3, 1, 9);
        var missing = await TestData.WorkerAsync(db.DataSource);
        await DbsReviewAsync(db.DataSource, missing, null);
        var expired = await TestData.WorkerAsync(db.DataSource);
        await DbsReviewAsync(db.DataSource, expired, today.AddDays(-1));
        var dueIn60 = await TestData.WorkerAsync(db.DataSource);
        await DbsReviewAsync(db.DataSource, dueIn60, today.AddDays(60));
        var dueIn61 = await TestData.WorkerAsync(db.DataSource);
        await DbsReviewAsync(db.DataSource, dueIn61, today.AddDays(61));
        // A session after the review date is one the coordinator has to re-staff or renew the check for.
        var beyond = await TestData.SessionAsync(db.DataSource, Uk(2031, 4, 1, 10), TimeSpan.FromHours(1));
        var stillCovered = await TestData.WorkerAsync(db.DataSource);
        await InsertAssignmentAsync(beyond, stillCovered);
        await DbsReviewAsync(db.DataSource, stillCovered, today.AddDays(20));

        var listed = await new WorkerData(db.DataSource).DbsAttentionAsync(today, now, CancellationToken.None);

        var mine = listed.Where(d => d.Id == missing || d.Id == expired || d.Id == dueIn60 || d.Id == dueIn61 || d.Id == stillCovered)
            .Select(d => (d.Id, d.BookedBeyondCheck)).ToList();
        Assert.Equal([(expired, 0L), (stillCovered, 1L), (dueIn60, 0L), (missing, 0L)], mine);
    }

    private async Task<long> InsertAssignmentAsync(long session, long worker)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<long>(
            "INSERT INTO outreach.assignments (session_id, worker_id, during) VALUES (@session, @worker, 'empty') RETURNING id",
            new { session, worker });
    }

    private async Task ExecuteAsync(string sql, object args)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync(sql, args);
    }

    private async Task<string> StatusAsync(long assignment)
    {
        await using var c = await db.DataSource.OpenConnectionAsync();
        return await c.ExecuteScalarAsync<string>("SELECT status FROM outreach.assignments WHERE id = @assignment", new { assignment }) ?? "";
    }

    private Task<long> AssignmentCountAsync(long session) =>
        TestData.CountAsync(db.DataSource, "SELECT count(*) FROM outreach.assignments WHERE session_id = @session", new { session });
}
