using Outreach.Data.Messages;

namespace Outreach.Tests.Messages;

public sealed class SmsTextTests
{
    [Fact]
    public void Smart_quotes_dashes_ellipsis_and_odd_spaces_become_their_GSM_7_equivalents()
    {
        var text = SmsText.ToGsm("St Mary\u2019s \u201CSafe\u201D session \u2013 bring ID\u2026\u00A0thanks \u2014 caf\u00E9 na\u00EFve\u200B");

        Assert.Equal("St Mary's \"Safe\" session - bring ID... thanks - café naive", text);
        Assert.Equal(SmsEncoding.Gsm7, SmsText.Size(text).Encoding);
    }

    [Fact]
    public void A_character_with_no_GSM_7_equivalent_is_kept_and_makes_the_text_UCS_2()
    {
        var text = SmsText.ToGsm("See you there \U0001F44D");

        Assert.EndsWith("\U0001F44D", text, StringComparison.Ordinal);
        Assert.Equal(new SmsSize(SmsEncoding.Ucs2, 1, 16), SmsText.Size(text));
    }

    [Theory]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    [InlineData(460, 4)]
    public void GSM_7_texts_fit_160_characters_in_one_part_and_153_in_each_part_of_a_longer_one(int length, int segments)
    {
        Assert.Equal(new SmsSize(SmsEncoding.Gsm7, segments, length), SmsText.Size(new string('a', length)));
    }

    [Fact]
    public void Extension_characters_count_twice_and_are_never_split_across_parts()
    {
        Assert.Equal(new SmsSize(SmsEncoding.Gsm7, 1, 160), SmsText.Size(new string('a', 158) + "€"));
        Assert.Equal(new SmsSize(SmsEncoding.Gsm7, 2, 161), SmsText.Size(new string('a', 159) + "["));
        // 152 single characters and then an escaped one: the escape pair cannot straddle parts 1 and 2.
        Assert.Equal(3, SmsText.Size(new string('a', 152) + "{" + new string('a', 152) + "}").Segments);
    }

    [Theory]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void UCS_2_texts_fit_70_characters_in_one_part_and_67_in_each_part_of_a_longer_one(int length, int segments)
    {
        Assert.Equal(new SmsSize(SmsEncoding.Ucs2, segments, length), SmsText.Size("Ж" + new string('a', length - 1)));
    }

    [Fact]
    public void Templates_are_plain_GSM_7_in_UK_local_time_even_from_names_typed_with_smart_quotes()
    {
        // 28 March 2027 is the spring clock change: 09:00 UTC is 10:00 British Summer Time.
        var text = SmsText.ConfirmationRequest("Knife crime \u2013 assembly", "St Peter\u2019s School",
            new DateTime(2027, 3, 28, 9, 0, 0, DateTimeKind.Utc), new DateTime(2027, 3, 28, 10, 0, 0, DateTimeKind.Utc), "K4M");

        Assert.Equal("Outreach: you are booked for Knife crime - assembly at St Peter's School, Sun 28 Mar 10:00-11:00. " +
                     "Reply YES K4M to confirm or NO K4M if you cannot go.", text);
        Assert.Equal(SmsEncoding.Gsm7, SmsText.Size(text).Encoding);
    }

    [Fact]
    public void A_short_roster_lists_every_session_and_links_to_my_sessions()
    {
        var monday = new DateOnly(2027, 6, 7);
        var items = new[]
        {
            new RosterItem("Assembly", "Hodge Hill School", new DateTime(2027, 6, 7, 8, 0, 0, DateTimeKind.Utc), new DateTime(2027, 6, 7, 9, 0, 0, DateTimeKind.Utc)),
            new RosterItem("A&E shift", "Heartlands A&E", new DateTime(2027, 6, 11, 17, 0, 0, DateTimeKind.Utc), new DateTime(2027, 6, 12, 1, 0, 0, DateTimeKind.Utc)),
        };

        var text = SmsText.Roster(monday, items, "https://outreach.example/Records");

        Assert.Equal("Outreach roster w/c Mon 7 Jun: Mon 7 Jun 09:00-10:00 Assembly at Hodge Hill School; " +
                     "Fri 11 Jun 18:00-02:00 A&E shift at Heartlands A&E. My sessions: https://outreach.example/Records", text);
        Assert.True(SmsText.Segments(text) <= 3);
    }

    [Fact]
    public void A_long_roster_is_summarised_within_three_segments_with_the_count_the_first_sessions_and_the_link()
    {
        var monday = new DateOnly(2027, 6, 7);
        var items = Enumerable.Range(0, 12).Select(i => new RosterItem($"Classroom workshop {i + 1}", "Washwood Heath Academy",
            new DateTime(2027, 6, 7 + i / 2, 8 + i % 2 * 4, 0, 0, DateTimeKind.Utc), new DateTime(2027, 6, 7 + i / 2, 9 + i % 2 * 4, 0, 0, DateTimeKind.Utc))).ToList();

        var text = SmsText.Roster(monday, items, "https://outreach.example/Records");

        Assert.True(SmsText.Segments(text) <= 3, text);
        Assert.StartsWith("Outreach roster w/c Mon 7 Jun: 12 sessions. First: Mon 7 Jun 09:00-10:00 Classroom workshop 1 at Washwood Heath Academy", text, StringComparison.Ordinal);
        Assert.EndsWith(" All: https://outreach.example/Records", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Classroom workshop 12 ", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("YES", ReplyKeyword.Yes, null)]
    [InlineData("  yes k4m ", ReplyKeyword.Yes, "K4M")]
    [InlineData("Y", ReplyKeyword.Yes, null)]
    [InlineData("Confirm.", ReplyKeyword.Yes, null)]
    [InlineData("no", ReplyKeyword.No, null)]
    [InlineData("N P7Q", ReplyKeyword.No, "P7Q")]
    [InlineData("decline", ReplyKeyword.No, null)]
    [InlineData("stop", ReplyKeyword.Stop, null)]
    [InlineData("STOPALL", ReplyKeyword.Stop, null)]
    [InlineData("Unsubscribe", ReplyKeyword.Stop, null)]
    [InlineData("cancel", ReplyKeyword.Stop, null)]
    [InlineData("END", ReplyKeyword.Stop, null)]
    [InlineData("quit", ReplyKeyword.Stop, null)]
    [InlineData("start", ReplyKeyword.Start, null)]
    [InlineData("UNSTOP", ReplyKeyword.Start, null)]
    [InlineData("help", ReplyKeyword.Help, null)]
    [InlineData("Yes please", ReplyKeyword.Yes, null)]
    [InlineData("no thanks!", ReplyKeyword.No, null)]
    [InlineData("help me", ReplyKeyword.Other, null)]
    [InlineData("cancel my shift please", ReplyKeyword.Other, null)]
    [InlineData("running 10 min late", ReplyKeyword.Other, null)]
    [InlineData("", ReplyKeyword.Other, null)]
    public void Replies_are_read_whatever_their_case_and_spacing(string body, ReplyKeyword keyword, string? code)
    {
        Assert.Equal(new ParsedReply(keyword, code), ReplyData.Parse(body));
    }
}
