using System.Globalization;
using System.Reflection;
using Scratch.Data.Images;
using Scratch.IO.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Scratch.Tests.IO.Onnx;

/// <summary>A fact skipped (with the reason) when the ResNet-18 NuGet package or the photo is absent.</summary>
public sealed class ResNet18FactAttribute : FactAttribute
{
    public ResNet18FactAttribute()
    {
        if (!File.Exists(OnnxResNet18Tests.ModelPath("ResNet18Onnx/ResNet18.onnx")))
            Skip = "NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 is not in the package cache (restore Tests/).";
        else if (!File.Exists(OnnxResNet18Tests.Photo))
            Skip = $"{OnnxResNet18Tests.Photo} is absent (apt-get install python3-skimage).";
    }
}

/// <summary>Real weights: ML.NET's ResNet-18 featurizer (a CNTK export with asymmetric pads) imported and run on a
/// photo, against features computed by OpenCV's cv2.dnn (Tests/Fixtures/make_resnet18_onnx_reference.py).</summary>
public class OnnxResNet18Tests(ITestOutputHelper output)
{
    public const string Photo = "/usr/lib/python3/dist-packages/skimage/data/coffee.png";

    public static string ModelPath(string relative)
    {
        var dir = typeof(OnnxResNet18Tests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ResNet18OnnxDir")?.Value ?? "";
        return Path.Combine(dir, relative);
    }

    private static (double[] Features, double Checksum) Reference()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx", "resnet18_coffee_features.txt"));
        var checksum = double.Parse(lines[1].Split("sum=")[1], CultureInfo.InvariantCulture);
        return ([.. lines.Where(l => !l.StartsWith('#')).Select(l => double.Parse(l, CultureInfo.InvariantCulture))], checksum);
    }

    [ResNet18Fact]
    public void ResNet18_features_of_a_photo_match_OpenCV_dnn()
    {
        var img = PngReader.Read(Photo);
        Assert.Equal((600, 400, 3), (img.Width, img.Height, img.Channels));
        // Centre 224 × 224 crop, NCHW RGB float 0..255, exactly as the fixture script.
        var x = img.ToTensor().Slice(0, 88, 312).Slice(1, 188, 412).Permute(2, 0, 1).Unsqueeze(0).To(DType.F32).Contiguous();

        var prep = OnnxModel.Load(ModelPath("ResNetPrepOnnx/ResNetPreprocess.onnx"));
        var pre = prep.Run(new Dictionary<string, Tensor> { [prep.Inputs[0].Name] = x })[prep.Outputs[0].Name];
        var (expected, checksum) = Reference();
        Assert.Equal(checksum, pre.ToDoubleArray().Sum(), 1);

        var net = OnnxModel.Load(ModelPath("ResNet18Onnx/ResNet18.onnx"));
        Assert.Contains(net.Nodes, n => n.OpType == "Conv" && n.Attributes.TryGetValue("pads", out var p) && p.Ints[0] != p.Ints[2]);
        var y = net.Run(new Dictionary<string, Tensor> { [net.Inputs[0].Name] = pre })[net.Outputs[0].Name];
        Assert.Equal(new Shape(1, 512, 1, 1), y.Shape);

        var actual = y.ToDoubleArray();
        var scale = expected.Max(Math.Abs);
        var worst = actual.Zip(expected, (a, e) => Math.Abs(a - e)).Max() / scale;
        output.WriteLine($"max |scratch - cv2.dnn| / max |cv2.dnn| = {worst:E3} (max feature {scale:F4})");
        Assert.True(worst <= 1e-4, $"relative difference {worst:E3} > 1e-4");
    }
}
