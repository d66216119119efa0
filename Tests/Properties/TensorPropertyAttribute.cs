using FsCheck.Xunit;

namespace Scratch.Tests.Properties;

/// <summary>An FsCheck property over <see cref="TensorArbs"/> with 100 cases by default.</summary>
public sealed class TensorPropertyAttribute : PropertyAttribute
{
    public TensorPropertyAttribute()
    {
        Arbitrary = [typeof(TensorArbs)];
        MaxTest = 100;
        QuietOnSuccess = true;
    }
}
