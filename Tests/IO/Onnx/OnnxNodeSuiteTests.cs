using Scratch.IO.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Scratch.Tests.IO.Onnx;

/// <summary>A fact skipped (with the reason) when Debian's libonnx-testdata is not installed.</summary>
public sealed class OnnxTestDataFactAttribute : FactAttribute
{
    public OnnxTestDataFactAttribute()
    {
        if (!Directory.Exists(OnnxTestModels.NodeRoot))
            Skip = $"{OnnxTestModels.NodeRoot} is absent (apt-get install libonnx-testdata).";
    }
}

public class OnnxNodeSuiteTests(ITestOutputHelper output)
{
    [OnnxTestDataFact]
    public void At_least_95_percent_of_the_node_tests_of_claimed_operators_pass()
    {
        var results = OnnxNodeTests.RunAll(OnnxTestModels.NodeRoot);
        int passed = results.Count(r => r.Status == OnnxTestStatus.Passed);
        int failed = results.Count(r => r.Status == OnnxTestStatus.Failed);
        int skipped = results.Count(r => r.Status == OnnxTestStatus.Skipped);
        foreach (var r in results.Where(r => r.Status == OnnxTestStatus.Failed)) output.WriteLine($"fail {r.Name}: {r.Message}");
        output.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        Assert.True(passed + failed > 400, $"expected the node tests of claimed operators to number > 400, got {passed + failed}");
        Assert.True(passed >= 0.95 * (passed + failed), $"{passed} passed, {failed} failed: below 95%");
    }

    [OnnxTestDataFact]
    public void The_core_CNN_and_detector_operators_pass_their_node_tests()
    {
        string[] prefixes = ["test_conv", "test_basic_conv", "test_convtranspose", "test_batchnorm_epsilon", "test_maxpool_2d",
            "test_averagepool_2d", "test_globalaveragepool", "test_gemm", "test_matmul_", "test_concat", "test_reshape",
            "test_resize_upsample", "test_softmax", "test_roialign", "test_nonmaxsuppression", "test_topk", "test_slice",
            "test_gather_", "test_transpose", "test_reduce_mean"];
        var results = OnnxNodeTests.RunAll(OnnxTestModels.NodeRoot, n => prefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal)));
        var bad = results.Where(r => r.Status == OnnxTestStatus.Failed).Select(r => $"{r.Name}: {r.Message}").ToList();
        Assert.True(bad.Count == 0, string.Join("\n", bad));
        Assert.True(results.Count(r => r.Status == OnnxTestStatus.Passed) >= 100);
    }

    [OnnxTestDataFact]
    public void A_wrong_expected_output_fails_the_comparison()
    {
        var dir = Path.Combine(OnnxTestModels.NodeRoot, "test_relu");
        var model = OnnxModel.Load(Path.Combine(dir, "model.onnx"));
        var x = OnnxTensors.ToTensor(OnnxProtoParser.ParseTensor(File.ReadAllBytes(Path.Combine(dir, "test_data_set_0", "input_0.pb"))));
        var y = model.Run(new Dictionary<string, Tensor> { [model.Inputs[0].Name] = x })[model.Outputs[0].Name];
        Assert.Null(OnnxNodeTests.Compare(y, F.Relu(x)));
        Assert.NotNull(OnnxNodeTests.Compare(y, F.Add(F.Relu(x), Tensor.Scalar(1e-3))));
        Assert.NotNull(OnnxNodeTests.Compare(y, F.Relu(x).To(DType.F64)));
    }
}
