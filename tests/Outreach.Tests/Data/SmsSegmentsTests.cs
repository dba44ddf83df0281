using Outreach.Data.Messages;

namespace Outreach.Tests.Data;

public sealed class SmsSegmentsTests
{
    [Theory]
    [InlineData(0, "", 0)]
    [InlineData(160, "a", 1)]
    [InlineData(161, "a", 2)]
    [InlineData(306, "a", 2)]
    [InlineData(307, "a", 3)]
    [InlineData(80, "€", 1)]
    [InlineData(81, "€", 2)]
    [InlineData(70, "ł", 1)]
    [InlineData(71, "ł", 2)]
    [InlineData(134, "ł", 2)]
    [InlineData(135, "ł", 3)]
    public void A_text_is_billed_as_the_parts_the_network_splits_it_into(int repeat, string character, int parts) =>
        Assert.Equal(parts, SmsSegments.Count(string.Concat(Enumerable.Repeat(character, repeat))));

    [Fact]
    public void One_character_outside_the_GSM_alphabet_makes_the_whole_text_Unicode() =>
        Assert.Equal(2, SmsSegments.Count(new string('a', 100) + "🙂"));

    [Fact]
    public void Twilio_error_codes_read_in_plain_English_and_unknown_codes_still_show_their_number()
    {
        Assert.Equal("30006: the number is a landline or cannot receive texts", DeliveryErrors.Describe("30006"));
        Assert.Equal("Twilio error 12345", DeliveryErrors.Describe("12345"));
        Assert.True(DeliveryErrors.NumberIsDead("21614"));
        Assert.False(DeliveryErrors.NumberIsDead("30003"));
    }
}
