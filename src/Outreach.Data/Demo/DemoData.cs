using Dapper;
using Npgsql;

namespace Outreach.Data.Demo;

// A month of believable West Midlands work around today, so a first run of the embedded default shows
// rosters, confirmations, gaps, missing records and reach figures before anyone has typed anything.
// The seed is fixed so two people demoing on the same day see the same screens.
public sealed class DemoData(NpgsqlDataSource dataSource, TimeProvider clock)
{
    // Any constant works; it only has to be the same in every process that may load the demo.
    private const long AdvisoryLockKey = 0x0_6465_6d6f_6461;
    private const int Seed = 20261129;
    private const int DaysEachSide = 14;

    // The database only forbids true overlaps, but a roster that sends someone from Coventry to
    // Wolverhampton with no time on the road would look wrong to the people we demo to.
    private static readonly TimeSpan TravelTime = TimeSpan.FromMinutes(30);

    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    public async Task<bool> LoadOnceAsync(long? youthWorkerUserId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var db = new Db(connection, transaction, cancellationToken);

        // Several web instances starting on an empty database would otherwise each load a copy.
        await db.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = AdvisoryLockKey });
        if (await db.SingleAsync<bool>("SELECT EXISTS (SELECT 1 FROM outreach.venues)"))
        {
            return false;
        }

        var now = clock.GetUtcNow();
        var random = new Random(Seed);
        // Venues and workers were on the books before the sessions they appear in.
        var onBooksSince = now.AddDays(-90);

        var areaIds = await InsertAreasAsync(db);
        var venueIds = await InsertVenuesAsync(db, areaIds, onBooksSince);
        var workerIds = await InsertWorkersAsync(db, youthWorkerUserId, onBooksSince);
        await InsertWorkerProfilesAsync(db, workerIds, areaIds, now);

        var plan = PlanSessions(venueIds, now, random);
        var teams = ChooseTeams(plan, Workers.Length, now, random);
        var sessionIds = await InsertSessionsAsync(db, plan, teams, workerIds, now, random);
        await InsertRecordsAsync(db, plan, teams, sessionIds, now, random);
        await InsertMessageHistoryAsync(db, workerIds, now);
        await InsertSmsSendingExamplesAsync(db, workerIds, now);
        await InsertResendRefusalExampleAsync(db);
        await InsertRepliesAsync(db, workerIds, now);
        await InsertImpactHistoryAsync(db, venueIds, workerIds, now);
        await InsertPayRisesAsync(db, workerIds, now);
        await InsertRecordDetailsAndEngagementsAsync(db, now);

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task<Dictionary<string, long>> InsertAreasAsync(Db db)
    {
        // Someone may have typed an area in before any venue existed: keep theirs and use its id.
        foreach (var area in Areas)
        {
            await db.ExecuteAsync("""
                INSERT INTO outreach.areas (code, name, region) VALUES (@Code, @Name, @Region)
                ON CONFLICT (code) DO NOTHING
                """, new { area.Code, area.Name, Region });
        }
        // GIAS files name authorities by the DfE's number (330 Birmingham ... 336 Wolverhampton), as the venue imports migration does.
        await db.ExecuteAsync("""
            UPDATE outreach.areas AS a SET dfe_code = m.dfe_code
              FROM (VALUES ('E08000025', '330'), ('E08000026', '331'), ('E08000027', '332'), ('E08000028', '333'),
                           ('E08000029', '334'), ('E08000030', '335'), ('E08000031', '336')) AS m (code, dfe_code)
             WHERE a.code = m.code AND a.dfe_code IS NULL
            """);
        var rows = await db.QueryAsync<(string Code, long Id)>(
            "SELECT code, id FROM outreach.areas WHERE code = ANY(@codes)",
            new { codes = Areas.Select(a => a.Code).ToArray() });
        return rows.ToDictionary(r => r.Code, r => r.Id, StringComparer.Ordinal);
    }

    private static async Task<VenueIds> InsertVenuesAsync(Db db, Dictionary<string, long> areaIds, DateTimeOffset since)
    {
        const string sql = """
            INSERT INTO outreach.venues (kind, name, area_id, address, postcode, urn, ods_code, pupils, created_at, updated_at)
            VALUES (@kind, @name, @areaId, @address, @postcode, @urn, @odsCode, @pupils, @since, @since)
            RETURNING id
            """;

        var schools = new long[Schools.Length];
        for (var i = 0; i < Schools.Length; i++)
        {
            var s = Schools[i];
            schools[i] = await db.SingleAsync<long>(sql, new
            {
                kind = "school", name = s.Name, areaId = areaIds[s.AreaCode], address = s.Address,
                postcode = s.Postcode, urn = (string?)s.Urn, odsCode = (string?)null, pupils = (int?)s.Pupils, since,
            });
        }

        var hospitals = new long[Hospitals.Length];
        for (var i = 0; i < Hospitals.Length; i++)
        {
            var h = Hospitals[i];
            hospitals[i] = await db.SingleAsync<long>(sql, new
            {
                kind = "emergency_department", name = h.Name, areaId = areaIds[h.AreaCode], address = h.Address,
                postcode = h.Postcode, urn = (string?)null, odsCode = (string?)h.OdsCode, pupils = (int?)null, since,
            });
        }

        var youthCentres = new long[YouthCentres.Length];
        for (var i = 0; i < YouthCentres.Length; i++)
        {
            var c = YouthCentres[i];
            youthCentres[i] = await db.SingleAsync<long>(sql, new
            {
                kind = "community", name = c.Name, areaId = areaIds[c.AreaCode], address = c.Address,
                postcode = c.Postcode, urn = (string?)null, odsCode = (string?)null, pupils = (int?)null, since,
            });
        }

        return new VenueIds(schools, hospitals, youthCentres);
    }

    private static async Task<long[]> InsertWorkersAsync(Db db, long? youthWorkerUserId, DateTimeOffset since)
    {
        var ids = new long[Workers.Length];
        for (var i = 0; i < Workers.Length; i++)
        {
            var w = Workers[i];
            // The first worker is the person behind the demo youth-worker sign-in, so their roster is "mine".
            var linked = i == 0 && youthWorkerUserId is not null;
            ids[i] = await db.SingleAsync<long>("""
                INSERT INTO outreach.youth_workers (full_name, mobile_e164, email, user_id, hourly_cost, created_at, updated_at)
                VALUES (@fullName, @mobile, @email, @userId, @hourlyCost, @since, @since)
                RETURNING id
                """, new
            {
                fullName = w.FullName, mobile = w.Mobile, email = linked ? "worker@outreach.test" : w.Email,
                userId = linked ? youthWorkerUserId : null, hourlyCost = w.HourlyCost, since,
            });
        }
        return ids;
    }

    // DBS checks (the database refuses bookings without one), areas, skills, hours and a little availability,
    // so the ranking of workers for a session has something to rank and two reviews fall due within 60 days.
    private static async Task InsertWorkerProfilesAsync(Db db, long[] workerIds, Dictionary<string, long> areaIds, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, London).DateTime);
        for (var i = 0; i < workerIds.Length; i++)
        {
            var issued = today.AddDays(-120 - 45 * i);
            // Reviews every three years, except two that fall due soon after the demo month.
            var review = i switch
            {
                10 => today.AddDays(21),
                11 => today.AddDays(45),
                _ => issued.AddYears(3),
            };
            await db.ExecuteAsync("""
                UPDATE outreach.youth_workers
                   SET dbs_check_type = 'enhanced_barred', dbs_certificate_number = @certificate,
                       dbs_issued_on = @issued::date, dbs_update_service = @updateService,
                       dbs_next_review_on = @review::date, contracted_hours = @hours
                 WHERE id = @id
                """, new
            {
                id = workerIds[i],
                certificate = "0017" + (40_312_557 + 7_919 * i).ToString("D8", System.Globalization.CultureInfo.InvariantCulture),
                issued = issued.ToDateTime(TimeOnly.MinValue), updateService = i % 3 != 2,
                review = review.ToDateTime(TimeOnly.MinValue),
                hours = (i % 4) switch { 0 => 37.5m, 1 => 30m, 2 => 22.5m, _ => (decimal?)null },
            });

            var covered = new[] { Areas[i % Areas.Length], Areas[(i + 1) % Areas.Length], Areas[(i + 3) % Areas.Length] };
            await db.ExecuteAsync("""
                INSERT INTO outreach.worker_areas (worker_id, area_id) SELECT @id, unnest(@areas)
                """, new { id = workerIds[i], areas = covered.Select(a => areaIds[a.Code]).ToArray() });
            await db.ExecuteAsync("""
                INSERT INTO outreach.worker_skills (worker_id, skill_id)
                SELECT @id, k.id FROM outreach.skills k WHERE k.name = ANY(@names)
                """, new { id = workerIds[i], names = WorkerSkills[i % WorkerSkills.Length] });
        }

        // One school-hours worker and one who does evenings and weekend nights.
        await SetPatternAsync(workerIds[4], [1, 2, 3, 4, 5], new TimeSpan(8, 0, 0), new TimeSpan(17, 0, 0));
        await SetPatternAsync(workerIds[9], [3, 5, 6], new TimeSpan(16, 0, 0), new TimeSpan(3, 0, 0));
        await db.ExecuteAsync("""
            INSERT INTO outreach.worker_leave (worker_id, first_day, last_day, reason)
            VALUES (@id, @first::date, @last::date, 'Annual leave')
            """, new { id = workerIds[2], first = today.AddDays(17).ToDateTime(TimeOnly.MinValue), last = today.AddDays(24).ToDateTime(TimeOnly.MinValue) });

        Task SetPatternAsync(long workerId, int[] weekdays, TimeSpan from, TimeSpan to) => db.ExecuteAsync("""
            INSERT INTO outreach.worker_availability (worker_id, weekday, from_time, to_time)
            SELECT @workerId, d, @from::time, @to::time FROM unnest(@weekdays) AS d
            """, new { workerId, weekdays, from, to });
    }

    private static readonly string[][] WorkerSkills =
    [
        ["A&E-trained", "Trauma informed", "Urdu"],
        ["First aid", "Mentoring"],
        ["Trauma informed", "First aid"],
        ["A&E-trained", "First aid"],
        ["Punjabi", "Mentoring"],
        ["Trauma informed"],
        ["A&E-trained", "Somali"],
        ["Polish", "First aid"],
        ["A&E-trained", "Trauma informed", "Arabic"],
        ["First aid"],
        ["Punjabi", "Urdu", "Trauma informed"],
        ["A&E-trained", "Mentoring"],
    ];

    private static List<PlannedSession> PlanSessions(VenueIds venues, DateTimeOffset now, Random random)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, London).DateTime);
        var plan = new List<PlannedSession>();
        var night = 0;
        var dropIn = 0;

        for (var offset = -DaysEachSide; offset <= DaysEachSide; offset++)
        {
            var day = today.AddDays(offset);
            if (day.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Friday && !SchoolsClosed(day))
            {
                PlanSchoolDay(plan, venues, day, random);
            }
            if (day.DayOfWeek is DayOfWeek.Friday or DayOfWeek.Saturday)
            {
                PlanAeNight(plan, venues, day, night++);
            }
            if (day.DayOfWeek is DayOfWeek.Wednesday or DayOfWeek.Saturday)
            {
                var afterSchool = day.DayOfWeek == DayOfWeek.Wednesday;
                plan.Add(new PlannedSession(
                    venues.YouthCentres[dropIn++ % venues.YouthCentres.Length], "community", "drop_in",
                    afterSchool ? "After-school youth drop-in" : "Saturday youth drop-in",
                    At(day, afterSchool ? new(16, 0) : new(12, 0)), At(day, afterSchool ? new(19, 0) : new(15, 0)),
                    RequiredWorkers: 2, ExpectedSize: null, YearGroup: null, Notes: ""));
            }
        }

        plan.Sort((a, b) => a.StartsAt.CompareTo(b.StartsAt));
        for (var i = 0; i < plan.Count; i++)
        {
            if (plan[i].EndsAt <= now)
            {
                plan[i] = plan[i] with { Status = "delivered" };
            }
        }

        // Schools close and rearrange at short notice; a month without a cancellation would not be real.
        var cancellable = Enumerable.Range(0, plan.Count)
            .Where(i => plan[i].Status == "delivered" && plan[i].VenueKind == "school")
            .ToArray();
        random.Shuffle(cancellable);
        for (var k = 0; k < Math.Min(CancelReasons.Length, cancellable.Length); k++)
        {
            var i = cancellable[k];
            plan[i] = plan[i] with { Status = "cancelled", CancelReason = CancelReasons[k] };
        }
        return plan;
    }

    private static void PlanSchoolDay(List<PlannedSession> plan, VenueIds venues, DateOnly day, Random random)
    {
        var order = Enumerable.Range(0, Schools.Length).ToArray();
        random.Shuffle(order);
        var visits = random.Next(2, 5);
        foreach (var i in order.Take(visits))
        {
            plan.Add(SchoolSession(venues.Schools[i], Schools[i], day, random));
        }

        if (day.DayOfWeek is >= DayOfWeek.Tuesday and <= DayOfWeek.Thursday && random.NextDouble() < 0.35)
        {
            var i = order.Skip(visits).First(s => Schools[s].HighAge > 11);
            plan.Add(new PlannedSession(
                venues.Schools[i], "school", "parents_evening", "Parents' and carers' evening: spotting the signs",
                At(day, new(17, 30)), At(day, new(19, 30)), RequiredWorkers: 2, ExpectedSize: random.Next(40, 91),
                YearGroup: null, Notes: "Stand in the main hall beside the safer schools officer."));
        }
    }

    private static PlannedSession SchoolSession(long venueId, SchoolSeed school, DateOnly day, Random random)
    {
        const string notes = "Sign in at main reception and ask for the head of year.";
        if (school.HighAge <= 11)
        {
            var primarySlot = Pick(random, WorkshopSlots);
            return new PlannedSession(
                venueId, "school", "workshop", "Staying safe workshop (Year 6)", At(day, primarySlot.From),
                At(day, primarySlot.To), RequiredWorkers: 1, ExpectedSize: school.Pupils / 7, YearGroup: 6, notes);
        }

        var yearGroupSize = school.Pupils / (school.HighAge == 18 ? 6 : 5);
        var kind = Pick(random, SchoolSessionKinds);
        var (year, title, size, required, slot) = kind switch
        {
            "assembly" => Assembly(),
            "workshop" => Workshop(),
            _ => Classroom(),
        };
        return new PlannedSession(
            venueId, "school", kind, title, At(day, slot.From), At(day, slot.To), required, size, year, notes);

        (int, string, int, int, Slot) Assembly()
        {
            var y = random.Next(7, school.HighAge == 18 ? 13 : 12);
            // A whole year group in the hall is a lot for one worker in a big school.
            return (y, $"Knife crime awareness assembly (Year {y})", yearGroupSize,
                school.Pupils >= 1300 ? 2 : 1, Pick(random, AssemblySlots));
        }

        (int, string, int, int, Slot) Workshop()
        {
            var y = random.Next(8, 12);
            return (y, $"{Pick(random, WorkshopTopics)} workshop (Year {y})",
                Math.Min(random.Next(28, 61), yearGroupSize), 2, Pick(random, WorkshopSlots));
        }

        (int, string, int, int, Slot) Classroom()
        {
            var y = random.Next(7, 11);
            return (y, $"{Pick(random, ClassroomTopics)} lesson (Year {y})", random.Next(24, 33), 1,
                Pick(random, ClassroomSlots));
        }
    }

    private static void PlanAeNight(List<PlannedSession> plan, VenueIds venues, DateOnly day, int night)
    {
        // The busiest major trauma and emergency sites are covered every weekend night; the rest take turns.
        var weekly = Enumerable.Range(0, Hospitals.Length).Where(i => Hospitals[i].EveryWeekend).ToArray();
        var rota = Enumerable.Range(0, Hospitals.Length).Where(i => !Hospitals[i].EveryWeekend).ToArray();
        var tonight = weekly.Append(rota[2 * night % rota.Length]).Append(rota[(2 * night + 1) % rota.Length]);
        foreach (var i in tonight)
        {
            plan.Add(new PlannedSession(
                venues.Hospitals[i], "emergency_department", "ae_shift", "A&E evening shift",
                At(day, new(18, 0)), At(day.AddDays(1), new(2, 0)), RequiredWorkers: 2, ExpectedSize: null,
                YearGroup: null, Notes: "Report to the nurse in charge on arrival.")
            {
                UnderSixteens = Hospitals[i].UnderSixteens,
            });
        }
    }

    private static List<int>[] ChooseTeams(List<PlannedSession> plan, int workerCount, DateTimeOffset now, Random random)
    {
        var booked = Enumerable.Range(0, workerCount).Select(_ => new List<PlannedSession>()).ToArray();
        var teams = new List<int>[plan.Count];
        var leftShort = 0;

        for (var i = 0; i < plan.Count; i++)
        {
            var session = plan[i];
            var wanted = session.RequiredWorkers;
            // A few future pairs left one short give the coordinator's "fill the gaps" view something to do.
            if (wanted == 2 && session.StartsAt > now && leftShort < 3 && random.NextDouble() < 0.2)
            {
                wanted = 1;
                leftShort++;
            }

            var others = Enumerable.Range(1, workerCount - 1).ToArray();
            random.Shuffle(others);
            // The demo youth worker signs in to see their own roster, so they must have a full one.
            var candidates = random.NextDouble() < 0.22 ? others.Prepend(0) : others.Append(0);
            var team = candidates
                .Where(w => booked[w].TrueForAll(b => !Overlaps(b, session)))
                .Take(wanted)
                .ToList();
            // The first of a team is its lead; swapping half the pairs stops the demo youth worker leading everything.
            if (team.Count == 2 && random.NextDouble() < 0.5)
            {
                team.Reverse();
            }
            foreach (var w in team)
            {
                booked[w].Add(session);
            }
            teams[i] = team;
        }
        return teams;
    }

    private static bool Overlaps(PlannedSession a, PlannedSession b) =>
        a.StartsAt < b.EndsAt + TravelTime && b.StartsAt < a.EndsAt + TravelTime;

    private static async Task<long[]> InsertSessionsAsync(
        Db db, List<PlannedSession> plan, List<int>[] teams, long[] workerIds, DateTimeOffset now, Random random)
    {
        var ids = new long[plan.Count];
        for (var i = 0; i < plan.Count; i++)
        {
            var s = plan[i];
            var created = (s.StartsAt < now ? s.StartsAt : now).AddDays(-random.Next(5, 29));
            ids[i] = await db.SingleAsync<long>("""
                INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at, required_workers,
                                               expected_size, status, cancel_reason, notes, created_at, updated_at)
                VALUES (@VenueId, @Kind, @Title, @StartsAt, @EndsAt, @RequiredWorkers,
                        @ExpectedSize, @Status, @CancelReason, @Notes, @created, @created)
                RETURNING id
                """, new
            {
                s.VenueId, s.Kind, s.Title, s.StartsAt, s.EndsAt, s.RequiredWorkers,
                s.ExpectedSize, s.Status, s.CancelReason, s.Notes, created,
            });

            // People confirm as the day gets close; those further off have mostly not replied yet.
            var confirmShare = s.StartsAt - now < TimeSpan.FromDays(3) ? 0.8 : 0.35;
            for (var k = 0; k < teams[i].Count; k++)
            {
                var status = s.Status switch
                {
                    "cancelled" => "withdrawn",
                    _ when s.StartsAt <= now => "confirmed",
                    _ => random.NextDouble() < confirmShare ? "confirmed" : "assigned",
                };
                await db.ExecuteAsync("""
                    INSERT INTO outreach.assignments (session_id, worker_id, status, is_lead, created_at, updated_at)
                    VALUES (@sessionId, @workerId, @status, @isLead, @created, @created)
                    """, new
                {
                    sessionId = ids[i], workerId = workerIds[teams[i][k]], status, isLead = k == 0,
                    created = created.AddHours(2),
                });
            }
        }
        return ids;
    }

    // Replies: bookings a few days off still waiting for their worker's YES (the job texts them on start-up,
    // so the development phone shows the question), and two texts in the coordinators' inbox.
    private static async Task InsertRepliesAsync(Db db, long[] workerIds, DateTimeOffset now)
    {
        await db.ExecuteAsync("""
            INSERT INTO outreach.confirmation_requests (assignment_id, created_at)
            SELECT a.id, a.created_at FROM outreach.assignments a JOIN outreach.sessions s ON s.id = a.session_id
            WHERE a.status = 'assigned' AND s.status IN ('planned', 'confirmed') AND s.starts_at > @soonest
            """, new { soonest = now.AddHours(36) });
        await db.ExecuteAsync("""
            INSERT INTO outreach.sms_inbound (message_sid, from_e164, to_e164, body, worker_id, received_at, outcome, response)
            SELECT 'DEMO' || md5(random()::text), w.mobile_e164, 'demo', 'Running 10 mins late for the assembly, traffic on the A38',
                   w.id, @lateAt, 'inbox', @passedOn
            FROM outreach.youth_workers w WHERE w.id = @worker
            UNION ALL
            SELECT 'DEMO' || md5(random()::text), '+447400123999', 'demo', 'Hi is this the youth outreach team? My son was at the assembly today',
                   NULL, @unknownAt, 'inbox', NULL
            """, new { worker = workerIds[1], lateAt = now.AddHours(-2), unknownAt = now.AddHours(-5), passedOn = Messages.SmsText.PassedOn });
    }

    private static async Task InsertRecordsAsync(
        Db db, List<PlannedSession> plan, List<int>[] teams, long[] sessionIds, DateTimeOffset now, Random random)
    {
        var delivered = Enumerable.Range(0, plan.Count)
            .Where(i => plan[i].Status == "delivered" && teams[i].Count > 0)
            .ToList();

        // Leave a few unrecorded so the chasing and escalation screens have work: the demo youth worker's
        // latest session (it waits on their phone), someone else's latest, and an older one overdue for escalation.
        var unrecorded = new HashSet<int>();
        AddLatest(delivered.Where(i => teams[i][0] == 0));
        AddLatest(delivered.Where(i => teams[i][0] != 0 && !unrecorded.Contains(i)));
        AddLatest(delivered.Where(i => teams[i][0] != 0 && !unrecorded.Contains(i) && plan[i].VenueKind == "school"
            && now - plan[i].EndsAt > TimeSpan.FromDays(7) && now - plan[i].EndsAt < TimeSpan.FromDays(12)));

        foreach (var i in delivered.Where(i => !unrecorded.Contains(i)))
        {
            var s = plan[i];
            var actualStart = s.StartsAt.AddMinutes(random.Next(-5, 11));
            var actualEnd = Earlier(s.EndsAt.AddMinutes(random.Next(-10, 11)), now);
            var counts = Attendance(s, random);
            var recordedAt = Earlier(actualEnd.AddHours(random.Next(1, 24)), now);
            await db.ExecuteAsync("""
                INSERT INTO outreach.session_records (session_id, delivered, actual_start, actual_end,
                    count_under_11, count_11_13, count_14_15, count_16_17, count_18_24, notes, recorded_at, updated_at)
                VALUES (@sessionId, true, @actualStart, @actualEnd,
                    @Under11, @From11To13, @From14To15, @From16To17, @From18To24, @notes, @recordedAt, @recordedAt)
                """, new
            {
                sessionId = sessionIds[i], actualStart, actualEnd, counts.Under11, counts.From11To13,
                counts.From14To15, counts.From16To17, counts.From18To24, notes = RecordNote(s, random), recordedAt,
            });
        }

        void AddLatest(IEnumerable<int> candidates)
        {
            foreach (var latest in candidates.OrderByDescending(i => plan[i].EndsAt).Take(1))
            {
                unrecorded.Add(latest);
            }
        }
    }

    // What the recording side shows: topics, staff, referrals and survey results on recent records, one open
    // safeguarding concern, and A&E engagements (some from shifts four to nine weeks back, so follow-ups are due and overdue).
    // Its own random sequence, so the sessions and records above stay as they were.
    private static async Task InsertRecordDetailsAndEngagementsAsync(Db db, DateTimeOffset now)
    {
        var random = new Random(Seed + 15);
        var topics = (await db.QueryAsync<long>("SELECT id FROM outreach.record_topics WHERE active ORDER BY id")).ToArray();
        var questions = (await db.QueryAsync<long>("SELECT id FROM outreach.survey_questions WHERE active ORDER BY id")).ToArray();
        var services = new[] { "mentoring", "camhs", "substance_misuse", "youth_offending" };
        var recorded = (await db.QueryAsync<(long SessionId, string Kind, int Head)>("""
            SELECT r.session_id, s.kind, r.count_under_11 + r.count_11_13 + r.count_14_15 + r.count_16_17 + r.count_18_24
            FROM outreach.session_records r JOIN outreach.sessions s ON s.id = r.session_id
            WHERE r.delivered ORDER BY s.starts_at DESC LIMIT 40
            """)).ToList();
        foreach (var (sessionId, kind, head) in recorded)
        {
            await db.ExecuteAsync("""
                INSERT INTO outreach.session_record_staff (session_id, worker_id)
                SELECT session_id, worker_id FROM outreach.assignments WHERE session_id = @sessionId AND status IN ('assigned', 'confirmed')
                """, new { sessionId });
            if (kind == "ae_shift")
            {
                continue;
            }
            var chosen = topics.OrderBy(_ => random.Next()).Take(random.Next(2, 4)).ToArray();
            await db.ExecuteAsync("""
                INSERT INTO outreach.session_record_topics (session_id, topic_id) SELECT @sessionId, unnest(@chosen)
                """, new { sessionId, chosen });
            if (head >= 8 && random.NextDouble() < 0.35)
            {
                await db.ExecuteAsync("INSERT INTO outreach.session_record_referrals (session_id, service, count) VALUES (@sessionId, @service, @count)",
                    new { sessionId, service = Pick(random, services), count = random.Next(1, 3) });
            }
            if (head >= 15 && random.NextDouble() < 0.5)
            {
                foreach (var question in questions)
                {
                    var before = Math.Round(2.2m + (decimal)random.NextDouble(), 2);
                    await db.ExecuteAsync("""
                        INSERT INTO outreach.session_record_surveys (session_id, question_id, before_mean, before_n, after_mean, after_n)
                        VALUES (@sessionId, @question, @before, @beforeN, @after, @afterN)
                        """, new
                    {
                        sessionId, question, before, beforeN = head - random.Next(0, 4),
                        after = Math.Min(5m, before + Math.Round(0.3m + (decimal)random.NextDouble() * 0.8m, 2)), afterN = head - random.Next(1, 6),
                    });
                }
            }
        }

        var concernSession = recorded.Where(r => r.Kind != "ae_shift").Select(r => r.SessionId).FirstOrDefault();
        if (concernSession != 0)
        {
            var concern = await db.SingleAsync<long>("""
                INSERT INTO outreach.safeguarding_concerns (session_id, raised_by_user_id, raised_at, details, updated_at)
                SELECT s.id, w.user_id, s.ends_at + interval '40 minutes',
                       'A Year 9 pupil stayed behind and said an older boy has been asking them to hold a bag for him after school. They seemed frightened of saying more.',
                       s.ends_at + interval '40 minutes'
                FROM outreach.sessions s
                LEFT JOIN outreach.assignments a ON a.session_id = s.id AND a.is_lead
                LEFT JOIN outreach.youth_workers w ON w.id = a.worker_id
                WHERE s.id = @concernSession
                LIMIT 1
                RETURNING id
                """, new { concernSession });
            await db.ExecuteAsync("UPDATE outreach.session_records SET safeguarding_concern = true WHERE session_id = @concernSession", new { concernSession });
            await db.ExecuteAsync("""
                INSERT INTO outreach.alerts (dedupe_key, kind, message, session_id, created_at)
                SELECT 'safeguarding:concern:' || @concern, 'safeguarding',
                       'Safeguarding concern raised from the session at ' || v.name || ': open Safeguarding to read it and hand it over.', s.id, c.raised_at
                FROM outreach.safeguarding_concerns c JOIN outreach.sessions s ON s.id = c.session_id JOIN outreach.venues v ON v.id = s.venue_id
                WHERE c.id = @concern
                """, new { concern });
        }

        // Three earlier Saturday-night shifts at the busiest site, led by whoever leads its shifts now.
        var busiest = await db.QueryAsync<(long VenueId, long WorkerId)>("""
            SELECT s.venue_id, a.worker_id FROM outreach.sessions s JOIN outreach.assignments a ON a.session_id = s.id AND a.is_lead
            WHERE s.kind = 'ae_shift' AND s.status <> 'cancelled' ORDER BY s.starts_at LIMIT 1
            """);
        var shifts = new List<(long Id, DateTimeOffset StartsAt, DateTimeOffset EndsAt)>();
        foreach (var (venueId, workerId) in busiest)
        {
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, London).Date);
            foreach (var weeksBack in new[] { 9, 5, 4 })
            {
                var day = today.AddDays(-7 * weeksBack);
                day = day.AddDays(-(((int)day.DayOfWeek + 1) % 7));
                var (startsAt, endsAt) = (At(day, new(18, 0)), At(day.AddDays(1), new(2, 0)));
                var id = await db.SingleAsync<long>("""
                    INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at, required_workers, status, notes, created_at, updated_at)
                    VALUES (@venueId, 'ae_shift', 'A&E evening shift', @startsAt, @endsAt, 1, 'delivered', '', @startsAt - interval '20 days', @endsAt)
                    RETURNING id
                    """, new { venueId, startsAt, endsAt });
                await db.ExecuteAsync("""
                    INSERT INTO outreach.assignments (session_id, worker_id, status, is_lead) VALUES (@id, @workerId, 'confirmed', true);
                    INSERT INTO outreach.session_records (session_id, delivered, actual_start, actual_end, count_14_15, count_16_17, recorded_at, updated_at)
                    VALUES (@id, true, @startsAt, @endsAt, 1, 2, @endsAt + interval '3 hours', @endsAt + interval '3 hours');
                    INSERT INTO outreach.session_record_staff (session_id, worker_id) VALUES (@id, @workerId);
                    """, new { id, workerId, startsAt, endsAt });
                shifts.Add((id, startsAt, endsAt));
            }
        }
        shifts.AddRange(await db.QueryAsync<(long, DateTimeOffset, DateTimeOffset)>("""
            SELECT id, starts_at, ends_at FROM outreach.sessions
            WHERE kind = 'ae_shift' AND status <> 'cancelled' AND ends_at <= @now ORDER BY starts_at DESC LIMIT 5
            """, new { now }));

        var references = new List<string>();
        var bands = new[] { "11_13", "14_15", "14_15", "16_17", "16_17", "16_17", "18_24" };
        var reasons = new[] { "knife", "knife", "other_weapon", "no_weapon", "no_weapon", "other" };
        var sources = new[] { "ed_staff", "ed_staff", "ed_staff", "police", "self", "family" };
        var outcomes = new[] { "engaged", "engaged", "engaged", "declined", "unreachable" };
        var made = 0;
        foreach (var (shift, startsAt, endsAt) in shifts.OrderBy(s => s.StartsAt))
        {
            for (var k = 0; k < 2 && made < 11; k++, made++)
            {
                // Now and then someone comes back: the same reference, a new engagement.
                var reference = references.Count > 2 && random.NextDouble() < 0.2
                    ? Pick(random, references)
                    : "AE-" + new string(Enumerable.Range(0, 6).Select(_ => "23456789ABCDEFGHJKMNPQRSTUVWXYZ"[random.Next(31)]).ToArray());
                references.Add(reference);
                var referredAt = startsAt.AddMinutes(random.Next(30, 300));
                var firstContact = random.NextDouble() < 0.9 ? referredAt.AddMinutes(random.Next(5, 95)) : (DateTimeOffset?)null;
                var engagedDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(firstContact ?? referredAt, London).Date);
                var closed = made == 1;
                var id = await db.SingleAsync<long>("""
                    INSERT INTO outreach.ae_engagements (reference, session_id, worker_id, age_band, gender, presenting_reason, consent,
                        referral_source, referred_at, first_contact_at, support_plan_started, status, closed_at, closed_reason, created_at, updated_at)
                    SELECT @reference, @shift, (SELECT worker_id FROM outreach.assignments WHERE session_id = @shift ORDER BY is_lead DESC, id LIMIT 1),
                           @band, @gender, @reason, @consent, @source, @referredAt, @firstContact, @plan,
                           CASE WHEN @closed THEN 'closed' ELSE 'open' END, CASE WHEN @closed THEN @closedAt END,
                           CASE WHEN @closed THEN 'support_completed' END, @referredAt, @referredAt
                    RETURNING id
                    """, new
                {
                    reference, shift, band = Pick(random, bands), gender = random.NextDouble() < 0.8 ? (random.NextDouble() < 0.75 ? "male" : "female") : null,
                    reason = Pick(random, reasons), consent = random.NextDouble() < 0.85, source = Pick(random, sources), referredAt, firstContact,
                    plan = random.NextDouble() < 0.6, closed, closedAt = now.AddDays(-3),
                });
                foreach (var (stage, due) in new[] { ("4_weeks", engagedDay.AddDays(28)), ("12_weeks", engagedDay.AddDays(84)), ("6_months", engagedDay.AddMonths(6)) })
                {
                    var dueAt = At(due, new(10, 0));
                    var answered = dueAt < now.AddDays(-10) || (closed && stage == "4_weeks");
                    await db.ExecuteAsync("""
                        INSERT INTO outreach.ae_follow_ups (engagement_id, stage, due_on, outcome, recorded_at)
                        VALUES (@id, @stage, @due::date, @outcome, @recordedAt)
                        """, new
                    {
                        id, stage, due = due.ToDateTime(TimeOnly.MinValue),
                        outcome = answered ? Pick(random, outcomes) : null, recordedAt = answered ? (DateTimeOffset?)Earlier(dueAt.AddDays(1), now) : null,
                    });
                }
            }
        }
    }

    /// <summary>
    /// A year of delivered and recorded work before the fortnight around today, so the reports page has a trend:
    /// school workshops and assemblies with referrals and surveys, weekly A&amp;E shifts with engagements (one young
    /// person in four seen again) and their follow-ups. Staff come from the records' staff lists, not the rota.
    /// </summary>
    private static async Task InsertImpactHistoryAsync(Db db, VenueIds venues, long[] workerIds, DateTimeOffset now)
    {
        var random = new Random(Seed + 16);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, London).DateTime);
        var firstDay = today.AddDays(-DaysEachSide - 1);
        var questions = (await db.QueryAsync<long>("SELECT id FROM outreach.survey_questions WHERE active ORDER BY id")).ToList();
        var references = new List<string>();
        const string ReferenceLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        for (var week = 1; week <= 50; week++)
        {
            var monday = firstDay.AddDays(-7 * week - ((int)firstDay.DayOfWeek + 6) % 7);
            // Fewer sessions in the school holidays (August), more in the autumn term.
            var schoolSessions = monday.Month == 8 ? 0 : 2 + random.Next(0, 3);
            for (var k = 0; k < schoolSessions; k++)
            {
                var day = monday.AddDays(random.Next(0, 5));
                var kind = random.Next(3) == 0 ? "assembly" : "workshop";
                var start = At(day, new TimeOnly(9 + random.Next(0, 6), 0));
                var id = await HistorySessionAsync(db, Pick(random, venues.Schools), kind, kind == "assembly" ? "Assembly: knife crime" : "Workshop: staying safe",
                    start, start.AddHours(1));
                var size = kind == "assembly" ? random.Next(60, 220) : random.Next(12, 32);
                await HistoryRecordAsync(db, id, start, start.AddHours(1), size, [Pick(random, workerIds), Pick(random, workerIds)]);
                if (random.Next(3) == 0)
                {
                    await db.ExecuteAsync("INSERT INTO outreach.session_record_referrals (session_id, service, count) VALUES (@id, @service, @count)",
                        new { id, service = Pick(random, ["mentoring", "camhs", "substance_misuse", "youth_offending", "other"]), count = random.Next(1, 4) });
                }
                if (kind == "workshop")
                {
                    foreach (var question in questions)
                    {
                        var before = Math.Round(2.2m + (decimal)random.NextDouble(), 2);
                        await db.ExecuteAsync("""
                            INSERT INTO outreach.session_record_surveys (session_id, question_id, before_mean, before_n, after_mean, after_n)
                            SELECT @id, @question, @before, @n, CASE WHEN q.higher_is_better THEN @before + 0.6 ELSE @before - 0.5 END, @n - 2
                            FROM outreach.survey_questions q WHERE q.id = @question
                            """, new { id, question, before, n = size });
                    }
                }
            }

            var night = monday.AddDays(4 + random.Next(0, 2));
            var shiftStart = At(night, new TimeOnly(18, 0));
            var shift = await HistorySessionAsync(db, Pick(random, venues.Hospitals), "ae_shift", "A&E evening shift", shiftStart, shiftStart.AddHours(8));
            await HistoryRecordAsync(db, shift, shiftStart, shiftStart.AddHours(8), 0, [Pick(random, workerIds)]);
            for (var e = random.Next(1, 5); e > 0; e--)
            {
                var reference = references.Count > 4 && random.Next(4) == 0
                    ? Pick(random, references)
                    : "AE-" + string.Concat(Enumerable.Range(0, 6).Select(_ => ReferenceLetters[random.Next(ReferenceLetters.Length)]));
                references.Add(reference);
                var consent = random.Next(5) != 0;
                var referredAt = shiftStart.AddHours(random.Next(1, 7));
                var engagement = await db.SingleAsync<long>("""
                    INSERT INTO outreach.ae_engagements (reference, session_id, age_band, presenting_reason, consent, referral_source,
                                                         referred_at, first_contact_at, support_plan_started)
                    VALUES (@reference, @shift, @ageBand, @reason, @consent, 'ed_staff', @referredAt, @referredAt, @consent)
                    RETURNING id
                    """, new
                {
                    reference, shift, ageBand = Pick(random, ["14_15", "16_17", "16_17", "18_24"]),
                    reason = Pick(random, ["knife", "knife", "other_weapon", "no_weapon"]), consent, referredAt,
                });
                if (!consent)
                {
                    continue;
                }
                foreach (var (stage, after) in new[] { ("4_weeks", 28), ("12_weeks", 84), ("6_months", 182) })
                {
                    var due = DateOnly.FromDateTime(referredAt.UtcDateTime).AddDays(after);
                    var done = due < today && random.Next(10) < 8;
                    await db.ExecuteAsync("""
                        INSERT INTO outreach.ae_follow_ups (engagement_id, stage, due_on, outcome, recorded_at)
                        VALUES (@engagement, @stage, @due, @outcome, @recordedAt)
                        """, new
                    {
                        engagement, stage, due = due.ToDateTime(TimeOnly.MinValue),
                        outcome = done ? Pick(random, ["engaged", "engaged", "declined", "unreachable"]) : null,
                        recordedAt = done ? At(due, new TimeOnly(12, 0)) : (DateTimeOffset?)null,
                    });
                }
            }
        }
    }

    private static Task<long> HistorySessionAsync(Db db, long venueId, string kind, string title, DateTimeOffset start, DateTimeOffset end) =>
        db.SingleAsync<long>("""
            INSERT INTO outreach.sessions (venue_id, kind, title, starts_at, ends_at, status, created_at, updated_at)
            VALUES (@venueId, @kind, @title, @start, @end, 'delivered', @created, @created) RETURNING id
            """, new { venueId, kind, title, start, end, created = start.AddDays(-14) });

    // Rate history (docs/decisions/0014): two workers had a rise from the first of last month, so that month's staff
    // cost differs from the months before; a third has one agreed from the first of the month after next.
    private static async Task InsertPayRisesAsync(Db db, long[] workerIds, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, London).DateTime);
        var lastMonth = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        foreach (var (worker, rise, from) in new[] { (workerIds[0], 1.50m, lastMonth), (workerIds[1], 2.00m, lastMonth),
                     (workerIds[2], 1.25m, lastMonth.AddMonths(3)) })
        {
            await db.ExecuteAsync("""
                UPDATE outreach.youth_workers SET hourly_cost = hourly_cost + @rise, hourly_cost_from = @from::date
                WHERE id = @worker AND hourly_cost IS NOT NULL
                """, new { worker, rise, from = from.ToDateTime(TimeOnly.MinValue) });
        }
    }

    private static async Task HistoryRecordAsync(Db db, long sessionId, DateTimeOffset start, DateTimeOffset end, int size, long[] staff)
    {
        await db.ExecuteAsync("""
            INSERT INTO outreach.session_records (session_id, delivered, actual_start, actual_end, count_11_13, count_14_15, count_16_17,
                                                  recorded_at, updated_at)
            VALUES (@sessionId, true, @start, @end, @a, @b, @c, @end, @end)
            """, new { sessionId, start, end, a = size / 3, b = size / 3, c = size - 2 * (size / 3) });
        foreach (var worker in staff.Distinct())
        {
            await db.ExecuteAsync("INSERT INTO outreach.session_record_staff (session_id, worker_id) VALUES (@sessionId, @worker)", new { sessionId, worker });
        }
    }

    private static Counts Attendance(PlannedSession s, Random random)
    {
        switch (s.Kind)
        {
            case "ae_shift" when s.UnderSixteens:
                return new Counts(0, random.Next(0, 3), random.Next(0, 5), 0, 0);
            case "ae_shift":
                return new Counts(0, 0, random.Next(0, 3), random.Next(0, 4), random.Next(0, 5));
            case "drop_in":
                return new Counts(0, random.Next(2, 9), random.Next(4, 11), random.Next(3, 9), random.Next(0, 4));
            case "parents_evening":
                // Counts are young people only; parents and carers are not in any band.
                var children = random.Next(8, 26);
                return new Counts(0, children / 2, children - children / 2, 0, 0);
        }

        var present = (int)Math.Round((s.ExpectedSize ?? 0) * (0.82 + 0.15 * random.NextDouble()));
        // A year group is one age on 1 September and each child has a birthday during the school year,
        // so the share already in the next band grows with the months since September. Years 6, 9, 11
        // and 13 are the ones that cross a band boundary.
        var day = TimeZoneInfo.ConvertTime(s.StartsAt, London);
        var older = (int)Math.Round(present * (((day.Month + 3) % 12) + (day.Day - 1) / 31.0) / 12);
        var younger = present - older;
        return s.YearGroup switch
        {
            6 => new Counts(younger, older, 0, 0, 0),
            7 or 8 => new Counts(0, present, 0, 0, 0),
            9 => new Counts(0, younger, older, 0, 0),
            10 => new Counts(0, 0, present, 0, 0),
            11 => new Counts(0, 0, younger, older, 0),
            12 => new Counts(0, 0, 0, present, 0),
            _ => new Counts(0, 0, 0, younger, older),
        };
    }

    private static string RecordNote(PlannedSession s, Random random) => s.Kind switch
    {
        "ae_shift" => Pick(random, AeRecordNotes),
        "drop_in" => Pick(random, DropInRecordNotes),
        "parents_evening" => "Parents and carers asked how to start a conversation about carrying knives.",
        _ => Pick(random, SchoolRecordNotes),
    };

    // A week of texts already sent, with what Twilio reported back (one not delivered, one refused), and replies:
    // what the messages log and a worker's texts page show. None is pending, so nothing here is sent again.
    private static async Task InsertMessageHistoryAsync(Db db, long[] workerIds, DateTimeOffset now)
    {
        var texts = new (int Worker, string Purpose, string Body, int HoursAgo, string Status, string? Delivery, string? Error, string? Reply)[]
        {
            (0, "roster", "Outreach: your week. Tue 09:00 assembly, Fri 18:00 A&E shift. Reply YES to confirm.", 150, "sent", "delivered", null, "YES"),
            (1, "roster", "Outreach: your week. Wed 13:30 workshop, Sat 18:00 A&E shift. Reply YES to confirm.", 150, "sent", "delivered", null, "Yes thanks"),
            (2, "roster", "Outreach: your week. Thu 09:15 assembly. Reply YES to confirm.", 150, "sent", "undelivered", "30003", null),
            (3, "reminder-24h", "Outreach reminder: workshop tomorrow 13:30. Reply NO if you cannot make it.", 30, "sent", "delivered", null, null),
            (0, "reminder-24h", "Outreach reminder: A&E shift tomorrow 18:00. Reply NO if you cannot make it.", 26, "sent", "sent", null, "OK"),
            (4, "cover-offer", "Outreach: cover needed Sat 18:00 A&E shift. Reply YES to take it.", 8, "failed", null, null, null),
        };
        for (var i = 0; i < texts.Length; i++)
        {
            var t = texts[i];
            var workerId = workerIds[t.Worker % workerIds.Length];
            var at = now.AddHours(-t.HoursAgo).UtcDateTime;
            await db.ExecuteAsync("""
                INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, to_e164, body, status, not_before, attempts, provider_sid,
                    last_error, created_at, claimed_at, sent_at, delivery_status, delivery_error_code, delivery_updated_at)
                SELECT @key, @Purpose, w.id, w.mobile_e164, @Body, @Status, @at, CASE WHEN @Status = 'failed' THEN 3 ELSE 1 END,
                       CASE WHEN @Status = 'sent' THEN @sid END,
                       CASE WHEN @Status = 'failed' THEN 'Twilio refused the request (HTTP 503) three times' END,
                       @at, @at, CASE WHEN @Status = 'sent' THEN @at END, @Delivery, @Error,
                       CASE WHEN @Delivery IS NOT NULL THEN @at + interval '1 minute' END
                FROM outreach.youth_workers w WHERE w.id = @workerId
                ON CONFLICT (dedupe_key) DO NOTHING
                """, new { key = $"demo-message:{i}", t.Purpose, t.Body, t.Status, t.Delivery, t.Error, at, sid = $"SMdemo{i:D26}", workerId });
            if (t.Reply is not null)
            {
                await db.ExecuteAsync("""
                    INSERT INTO outreach.sms_inbound (message_sid, from_e164, to_e164, body, worker_id, received_at)
                    SELECT @sid, w.mobile_e164, '', @Reply, w.id, @at
                    FROM outreach.youth_workers w WHERE w.id = @workerId
                    ON CONFLICT (message_sid) DO NOTHING
                    """, new { sid = $"SMdemoreply{i:D21}", t.Reply, at = at.AddMinutes(12), workerId });
            }
        }
    }

    // Every English school is shut over Christmas and New Year; other holidays differ by authority and
    // are for the term-dates feature, not the demo.
    private static bool SchoolsClosed(DateOnly day) =>
        (day.Month == 12 && day.Day >= 22) || (day.Month == 1 && day.Day <= 2);

    private static DateTimeOffset At(DateOnly day, TimeOnly localTime) =>
        new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(localTime), London));

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    // One connection and one transaction for the whole load, so a failure anywhere leaves nothing behind.
    // What the Messages log shows of sending rules: a routine text held for quiet hours and an urgent one
    // that went at once, to the first demo worker.
    private static async Task InsertSmsSendingExamplesAsync(Db db, long[] workerIds, DateTimeOffset now)
    {
        var policy = Messages.SmsSendPolicy.Default;
        var evening = UkTime.TryToUtc(UkTime.ToLocal(now.UtcDateTime).Date.AddDays(-1).AddHours(21.5), out var utc) ? utc : now.UtcDateTime.AddDays(-1);
        var mobile = await db.SingleAsync<string>("SELECT mobile_e164 FROM outreach.youth_workers WHERE id = @id", new { id = workerIds[0] });
        await db.ExecuteAsync("""
            INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, to_e164, body, status, not_before, urgent,
                                             held_reason, created_at, claimed_at, sent_at, attempts, provider_sid, cap_day)
            VALUES ('demo:quiet-hours-held', 'roster', @worker, @mobile,
                    'Outreach: your roster for next week is ready. Reply HELP for help.', 'sent', @morning, false,
                    NULL, @evening, @morning, @morning, 1, 'DVdemo-quiet-hours', @morningDay),
                   ('demo:urgent-change', 'change', @worker, @mobile,
                    'Outreach: change to tomorrow''s session. It now starts at 10:00.', 'sent', @evening, true,
                    NULL, @evening, @evening, @evening, 1, 'DVdemo-urgent', @eveningDay)
            """, new
        {
            worker = workerIds[0], mobile, evening, morning = policy.EndOfQuiet(evening),
            morningDay = Messages.SmsSendPolicy.UkDay(policy.EndOfQuiet(evening)), eveningDay = Messages.SmsSendPolicy.UkDay(evening),
        });
    }

    // A reminder that failed the day before a school cancelled the session: the messages log shows why it cannot be
    // resent where other failed texts have the Resend button.
    private static async Task InsertResendRefusalExampleAsync(Db db)
    {
        var target = (await db.QueryAsync<(long SessionId, long WorkerId, string Kind, DateTime StartsAt)>("""
            SELECT s.id, a.worker_id, s.kind, s.starts_at FROM outreach.sessions s JOIN outreach.assignments a ON a.session_id = s.id
            WHERE s.status = 'cancelled'
            ORDER BY s.starts_at DESC, a.id LIMIT 1
            """)).FirstOrDefault();
        if (target == default)
        {
            return;
        }
        var at = target.StartsAt.AddHours(-24);
        await db.ExecuteAsync("""
            INSERT INTO outreach.sms_outbox (dedupe_key, purpose, worker_id, session_id, to_e164, body, status, not_before, attempts,
                last_error, created_at, claimed_at, expires_at)
            SELECT 'demo:resend-refused', 'reminder', w.id, @SessionId, w.mobile_e164, @body, 'failed', @at, 1,
                   'Twilio refused the request (HTTP 400)', @at, @at, @StartsAt
            FROM outreach.youth_workers w WHERE w.id = @WorkerId
            ON CONFLICT (dedupe_key) DO NOTHING
            """, new
        {
            target.SessionId, target.WorkerId, target.StartsAt, at,
            body = $"Outreach reminder: {target.Kind.Replace('_', ' ')} tomorrow at {UkTime.Format(target.StartsAt, "HH:mm")}.",
        });
    }

    private readonly record struct Db(NpgsqlConnection Connection, NpgsqlTransaction Transaction, CancellationToken CancellationToken)
    {
        public Task<int> ExecuteAsync(string sql, object? param = null) => Connection.ExecuteAsync(Command(sql, param));

        public Task<T> SingleAsync<T>(string sql, object? param = null) => Connection.QuerySingleAsync<T>(Command(sql, param));

        public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? param = null) => Connection.QueryAsync<T>(Command(sql, param));

        private CommandDefinition Command(string sql, object? param) =>
            new(sql, param, Transaction, cancellationToken: CancellationToken);
    }

    private sealed record VenueIds(long[] Schools, long[] Hospitals, long[] YouthCentres);

    private sealed record PlannedSession(
        long VenueId, string VenueKind, string Kind, string Title, DateTimeOffset StartsAt, DateTimeOffset EndsAt,
        int RequiredWorkers, int? ExpectedSize, int? YearGroup, string Notes)
    {
        public string Status { get; init; } = "planned";
        public string? CancelReason { get; init; }
        public bool UnderSixteens { get; init; }
    }

    private readonly record struct Counts(int Under11, int From11To13, int From14To15, int From16To17, int From18To24);

    private sealed record Slot(TimeOnly From, TimeOnly To);
    private sealed record AreaSeed(string Code, string Name);
    // HighAge is the statutory high age as in Get Information about Schools: 11 primary, 16 or 18 secondary.
    private sealed record SchoolSeed(string Name, string AreaCode, string Address, string Postcode, string Urn, int Pupils, int HighAge);
    private sealed record HospitalSeed(
        string Name, string AreaCode, string Address, string Postcode, string OdsCode, bool EveryWeekend, bool UnderSixteens = false);
    private sealed record YouthCentreSeed(string Name, string AreaCode, string Address, string Postcode);
    private sealed record WorkerSeed(string FullName, string Mobile, string Email, decimal HourlyCost);

    private const string Region = "West Midlands";
    private const string Birmingham = "E08000025";
    private const string Coventry = "E08000026";
    private const string Dudley = "E08000027";
    private const string Sandwell = "E08000028";
    private const string Solihull = "E08000029";
    private const string Walsall = "E08000030";
    private const string Wolverhampton = "E08000031";

    private static readonly AreaSeed[] Areas =
    [
        new(Birmingham, "Birmingham"),
        new(Coventry, "Coventry"),
        new(Dudley, "Dudley"),
        new(Sandwell, "Sandwell"),
        new(Solihull, "Solihull"),
        new(Walsall, "Walsall"),
        new(Wolverhampton, "Wolverhampton"),
    ];

    // Invented schools with real-format URNs and postcodes from the right districts.
    private static readonly SchoolSeed[] Schools =
    [
        new("Hodge Hill Academy", Birmingham, "Bromford Lane, Hodge Hill, Birmingham", "B8 2HB", "138412", 1180, 16),
        new("Ward End Park Academy", Birmingham, "Washwood Heath Road, Ward End, Birmingham", "B8 2QT", "141906", 1320, 18),
        new("Kingstanding Academy", Birmingham, "Kings Road, Kingstanding, Birmingham", "B44 0SA", "137725", 1050, 16),
        new("Sparkhill Girls' School", Birmingham, "Stratford Road, Sparkhill, Birmingham", "B11 4EA", "103521", 960, 16),
        new("Northfield Community College", Birmingham, "Church Road, Northfield, Birmingham", "B31 2LB", "103587", 1420, 18),
        new("Erdington Park School", Birmingham, "Kingsbury Road, Erdington, Birmingham", "B24 8QZ", "144318", 870, 16),
        new("Handsworth Wood Boys' Academy", Birmingham, "Church Lane, Handsworth Wood, Birmingham", "B20 2HL", "139064", 1100, 16),
        new("Lozells Academy", Birmingham, "Wheeler Street, Lozells, Birmingham", "B19 2EP", "145207", 1240, 18),
        new("Stechford Primary School", Birmingham, "Albert Road, Stechford, Birmingham", "B33 8UA", "103312", 640, 11),
        new("Wood End Academy", Coventry, "Deedmore Road, Wood End, Coventry", "CV2 1EQ", "140233", 1010, 16),
        new("Tile Hill Academy", Coventry, "Nod Rise, Tile Hill, Coventry", "CV5 9JZ", "136871", 1150, 18),
        new("Foleshill Community College", Coventry, "Broad Street, Foleshill, Coventry", "CV6 5BG", "103724", 1380, 18),
        new("Willenhall Wood Academy", Coventry, "Remembrance Road, Willenhall, Coventry", "CV3 3DH", "142590", 820, 16),
        new("Canley Park School", Coventry, "Charter Avenue, Canley, Coventry", "CV4 8DY", "103716", 690, 16),
        new("Castle Hill Academy", Dudley, "Priory Road, Dudley", "DY1 4EU", "138955", 1090, 16),
        new("Netherton Park School", Dudley, "Halesowen Road, Netherton, Dudley", "DY2 9PU", "103856", 930, 16),
        new("Brierley Hill Community Academy", Dudley, "Mill Street, Brierley Hill", "DY5 2RT", "143127", 1240, 18),
        new("Wollescote Academy", Dudley, "Wollescote Road, Stourbridge", "DY9 7JJ", "139870", 760, 16),
        new("West Bromwich Academy", Sandwell, "Spon Lane, West Bromwich", "B70 6AZ", "135962", 1560, 18),
        new("Oldbury Park School", Sandwell, "Pound Road, Oldbury", "B68 8NA", "103998", 1020, 16),
        new("Smethwick Brasshouse Academy", Sandwell, "Brasshouse Lane, Smethwick", "B66 1BA", "144671", 1190, 16),
        new("Tipton Green Academy", Sandwell, "Park Lane West, Tipton", "DY4 8LP", "137340", 880, 16),
        new("Lode Lane Academy", Solihull, "Lode Lane, Solihull", "B91 2HW", "137129", 1250, 18),
        new("Chelmsley Wood Academy", Solihull, "Moorend Avenue, Chelmsley Wood, Birmingham", "B37 5PU", "141522", 980, 16),
        new("Kingshurst Park School", Solihull, "Cooks Lane, Kingshurst, Birmingham", "B37 6NU", "104104", 1050, 16),
        new("Shirley Heath Academy", Solihull, "Haslucks Green Road, Shirley, Solihull", "B90 2EE", "136420", 1400, 18),
        new("Caldmore Academy", Walsall, "Sandwell Street, Caldmore, Walsall", "WS1 3DR", "140788", 1060, 16),
        new("Blakenall Heath School", Walsall, "Ryle Street, Blakenall, Walsall", "WS3 1LG", "104247", 840, 16),
        new("Willenhall Lane Academy", Walsall, "Villiers Street, Willenhall", "WV13 1DB", "143560", 990, 16),
        new("Aldridge Park School", Walsall, "Tynings Lane, Aldridge, Walsall", "WS9 0BG", "104262", 1310, 18),
        new("Palfrey Primary School", Walsall, "Dale Street, Palfrey, Walsall", "WS1 4AN", "104189", 620, 11),
        new("Low Hill Academy", Wolverhampton, "Showell Road, Low Hill, Wolverhampton", "WV10 9NE", "139411", 1140, 16),
        new("Whitmore Reans Academy", Wolverhampton, "Hordern Road, Whitmore Reans, Wolverhampton", "WV6 0HR", "142035", 1020, 16),
        new("Bilston Park School", Wolverhampton, "Prouds Lane, Bilston", "WV14 6PF", "104395", 930, 16),
        new("Wednesfield Academy", Wolverhampton, "Lichfield Road, Wednesfield, Wolverhampton", "WV11 3ES", "138108", 1680, 18),
        new("Blakenhall Community College", Wolverhampton, "Dudley Road, Blakenhall, Wolverhampton", "WV2 3BY", "104410", 760, 16),
    ];

    // The region's real emergency departments with their NHS ODS site codes.
    private static readonly HospitalSeed[] Hospitals =
    [
        new("Queen Elizabeth Hospital Birmingham", Birmingham, "Mindelsohn Way, Edgbaston, Birmingham", "B15 2GW", "RRK15", EveryWeekend: true),
        new("Heartlands Hospital", Birmingham, "Bordesley Green East, Bordesley Green, Birmingham", "B9 5SS", "RRK97", EveryWeekend: true),
        new("Good Hope Hospital", Birmingham, "Rectory Road, Sutton Coldfield", "B75 7RR", "RRK98", EveryWeekend: false),
        new("Birmingham Children's Hospital", Birmingham, "Steelhouse Lane, Birmingham", "B4 6NH", "RQ301", EveryWeekend: false, UnderSixteens: true),
        new("Midland Metropolitan University Hospital", Sandwell, "Grove Lane, Smethwick", "B66 2QT", "RXK10", EveryWeekend: false),
        new("University Hospital Coventry", Coventry, "Clifford Bridge Road, Coventry", "CV2 2DX", "RKB01", EveryWeekend: false),
        new("Russells Hall Hospital", Dudley, "Pensnett Road, Dudley", "DY1 2HQ", "RNA01", EveryWeekend: false),
        new("Walsall Manor Hospital", Walsall, "Moat Road, Walsall", "WS2 9PS", "RBK02", EveryWeekend: false),
        new("New Cross Hospital", Wolverhampton, "Wolverhampton Road, Heath Town, Wolverhampton", "WV10 0QP", "RL403", EveryWeekend: false),
    ];

    private static readonly YouthCentreSeed[] YouthCentres =
    [
        new("Aston Youth Hub", Birmingham, "Park Lane, Aston, Birmingham", "B6 5DJ"),
        new("Hillfields Youth Centre", Coventry, "Victoria Street, Hillfields, Coventry", "CV1 5LZ"),
        new("Bilston Youth Zone", Wolverhampton, "Mount Pleasant, Bilston", "WV14 7LU"),
    ];

    // Mobiles are Ofcom's drama range (07700 900xxx), so a stray demo SMS can never reach a real phone.
    private static readonly WorkerSeed[] Workers =
    [
        new("Aisha Rahman", "+447700900001", "aisha.rahman@outreach.test", 24.50m),
        new("Daniel Okafor", "+447700900002", "daniel.okafor@outreach.test", 22.00m),
        new("Chloe Bennett", "+447700900003", "chloe.bennett@outreach.test", 19.75m),
        new("Marcus Campbell", "+447700900004", "marcus.campbell@outreach.test", 26.00m),
        new("Priya Sharma", "+447700900005", "priya.sharma@outreach.test", 21.25m),
        new("Liam O'Connor", "+447700900006", "liam.oconnor@outreach.test", 18.50m),
        new("Zainab Hussain", "+447700900007", "zainab.hussain@outreach.test", 20.00m),
        new("Tomasz Nowak", "+447700900008", "tomasz.nowak@outreach.test", 19.25m),
        new("Kemi Adeyemi", "+447700900009", "kemi.adeyemi@outreach.test", 23.50m),
        new("Ryan Walsh", "+447700900010", "ryan.walsh@outreach.test", 18.75m),
        new("Harpreet Kaur", "+447700900011", "harpreet.kaur@outreach.test", 22.75m),
        new("Jordan Mitchell", "+447700900012", "jordan.mitchell@outreach.test", 20.50m),
    ];

    // Assemblies are the commonest ask from schools, so they come up twice as often.
    private static readonly string[] SchoolSessionKinds = ["assembly", "assembly", "workshop", "workshop", "classroom"];

    private static readonly Slot[] AssemblySlots =
    [
        new(new(8, 45), new(9, 20)),
        new(new(8, 50), new(9, 30)),
        new(new(11, 0), new(11, 35)),
    ];

    private static readonly Slot[] WorkshopSlots =
    [
        new(new(9, 15), new(11, 15)),
        new(new(10, 0), new(12, 0)),
        new(new(13, 15), new(15, 0)),
    ];

    private static readonly Slot[] ClassroomSlots =
    [
        new(new(10, 0), new(11, 0)),
        new(new(11, 20), new(12, 20)),
        new(new(13, 30), new(14, 30)),
        new(new(14, 20), new(15, 20)),
    ];

    private static readonly string[] WorkshopTopics =
    [
        "Choices and consequences",
        "County lines and exploitation",
        "Peer pressure and gangs",
        "Conflict resolution",
    ];

    private static readonly string[] ClassroomTopics =
    [
        "Knife crime myths and facts",
        "Staying safe on the way home",
        "Social media, drill and online conflict",
    ];

    private static readonly string[] CancelReasons =
    [
        "School closed for the day: heating failure.",
        "School rearranged the day for mock exams; to be rebooked.",
    ];

    private static readonly string[] SchoolRecordNotes =
    [
        "Good engagement; lots of questions about what happens after an arrest.",
        "Quiet at first, opened up during the scenario work.",
        "Staff asked for a follow-up with the same group next term.",
        "Several students stayed behind with questions.",
    ];

    private static readonly string[] AeRecordNotes =
    [
        "Quiet shift; time spent with ED staff on the referral pathway.",
        "Spoke with young people after assault-related attendances; follow-up offered.",
        "Busy department; worked alongside the paediatric liaison nurse.",
    ];

    private static readonly string[] DropInRecordNotes =
    [
        "Pool and music; informal conversations about getting home safely.",
        "Steady numbers; a few new faces brought by friends.",
    ];
}
