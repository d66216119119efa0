using Scratch.Data.Images;
using Scratch.Tests.Eval;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class ImageFileFuzzTests
{
    /// <summary>Random byte flips, truncations and splices of the JPEG and PNG fixtures either decode to an image of
    /// the declared size or throw <see cref="InvalidDataException"/> naming the file: never another exception type.</summary>
    [Fact]
    public void MutatedFilesDecodeOrThrowInvalidData()
    {
        var rng = new Random(1234);
        foreach (var name in new[] { "jpeg/rgb_baseline.jpg", "jpeg/rgb_progressive.jpg", "jpeg/grey.jpg", "png/rgb_filters.png" })
        {
            var clean = File.ReadAllBytes(Fixtures.Path(name.Split('/')));
            for (var trial = 0; trial < 300; trial++)
            {
                var data = (byte[])clean.Clone();
                switch (trial % 3)
                {
                    case 0:
                        for (var f = 0; f < 1 + rng.Next(4); f++) data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                        break;
                    case 1:
                        data = data[..rng.Next(data.Length)];
                        break;
                    default:
                        var at = rng.Next(data.Length);
                        data = [.. data[..at], .. Enumerable.Range(0, 1 + rng.Next(16)).Select(_ => (byte)rng.Next(256)), .. data[at..]];
                        break;
                }
                var label = $"{name}#{trial}";
                try
                {
                    var im = ImageFile.Decode(data, label);
                    Assert.Equal((long)im.Width * im.Height * im.Channels, im.Pixels.LongLength);
                }
                catch (InvalidDataException e)
                {
                    Assert.StartsWith(label, e.Message, StringComparison.Ordinal);
                }
            }
        }
    }
}
