using Outreach.Data.Workers;

namespace Outreach.Tests.Data;

public sealed class MobileNumberTests
{
    [Theory]
    [InlineData("07400 123456", "+447400123456")]
    [InlineData("+44 7400 123456", "+447400123456")]
    [InlineData("(07400) 123-456", "+447400123456")]
    [InlineData("0044 7400 123456", "+447400123456")]
    public void A_UK_mobile_typed_any_usual_way_is_stored_in_E164(string typed, string expected)
    {
        Assert.True(MobileNumber.TryNormalise(typed, out var e164, out var error), error);
        Assert.Equal(expected, e164);
    }

    [Theory]
    [InlineData("07700 900001", "+447700900001")]
    [InlineData("+44 7700 900999", "+447700900999")]
    public void Ofcoms_drama_numbers_used_by_the_demo_are_accepted(string typed, string expected)
    {
        Assert.True(MobileNumber.TryNormalise(typed, out var e164, out var error), error);
        Assert.Equal(expected, e164);
    }

    [Theory]
    [InlineData("0121 496 0000", "not a mobile number")]
    [InlineData("07700 901000", "not a valid phone number")]
    [InlineData("12345", "not a valid phone number")]
    [InlineData("07400 12345", "not a valid phone number")]
    [InlineData("call me", "Enter a mobile number like")]
    [InlineData("", "Enter a mobile number.")]
    public void Landlines_and_malformed_numbers_are_refused_with_a_reason(string typed, string reason)
    {
        Assert.False(MobileNumber.TryNormalise(typed, out var e164, out var error));
        Assert.Equal("", e164);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stored_number_is_shown_the_way_people_write_it()
    {
        Assert.Equal("07400 123456", MobileNumber.Display("+447400123456"));
    }
}
