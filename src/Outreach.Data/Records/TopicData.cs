using Dapper;
using Npgsql;
using Outreach.Data.Audit;

namespace Outreach.Data.Records;

/// <summary>
/// The topics a session record can tick and the before/after survey questions. Retired, never deleted: old
/// records keep pointing at what they covered.
/// </summary>
public sealed class TopicData(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<TopicOption>> TopicsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<TopicOption>(new CommandDefinition(
            "SELECT id, name, active FROM outreach.record_topics ORDER BY active DESC, lower(name)", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<QuestionOption>> QuestionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<QuestionOption>(new CommandDefinition(
            "SELECT id, text, higher_is_better, active FROM outreach.survey_questions ORDER BY active DESC, id", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <returns>A field error on "Name" when a topic of that name (in any case) exists.</returns>
    public async Task<Outcome<long>> AddTopicAsync(string name, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO outreach.record_topics (name) VALUES (@name)
            ON CONFLICT DO NOTHING
            RETURNING id
            """, new { name }, transaction, cancellationToken: cancellationToken));
        if (id is null)
        {
            return Outcome<long>.Fail("Name", "There is already a topic with that name: switch it back on below if it was retired.");
        }
        await AuditLog.WriteAsync(connection, transaction, actor, "create", "record_topic", id, null, new { Name = name }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Outcome<long>.Ok(id.Value);
    }

    public async Task<long> AddQuestionAsync(string text, bool higherIsBetter, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO outreach.survey_questions (text, higher_is_better) VALUES (@text, @higherIsBetter) RETURNING id",
            new { text, higherIsBetter }, transaction, cancellationToken: cancellationToken));
        await AuditLog.WriteAsync(connection, transaction, actor, "create", "survey_question", id, null,
            new { Text = text, HigherIsBetter = higherIsBetter }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    /// <returns>False when there is no such topic or it is already in that state.</returns>
    public Task<bool> SetTopicActiveAsync(long id, bool active, Actor actor, CancellationToken cancellationToken) =>
        SetActiveAsync("record_topics", "record_topic", id, active, actor, cancellationToken);

    public Task<bool> SetQuestionActiveAsync(long id, bool active, Actor actor, CancellationToken cancellationToken) =>
        SetActiveAsync("survey_questions", "survey_question", id, active, actor, cancellationToken);

    private async Task<bool> SetActiveAsync(string table, string entity, long id, bool active, Actor actor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE outreach.{table} SET active = @active WHERE id = @id AND active <> @active",
            new { id, active }, transaction, cancellationToken: cancellationToken));
        if (changed == 0)
        {
            return false;
        }
        await AuditLog.WriteAsync(connection, transaction, actor, "update", entity, id, new { Active = !active }, new { Active = active }, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
