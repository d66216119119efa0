using Scratch.IO.Onnx;
using Xunit;
using static Scratch.Tests.IO.Onnx.OnnxTestModels;

namespace Scratch.Tests.IO.Onnx;

public class OnnxControlFlowTests
{
    /// <summary>If whose then-branch reads "nx" from the enclosing graph, where the Neg node producing nx comes
    /// after the If node in the file: the topological order must honour the branch's outer-scope reads.</summary>
    private static OnnxModel IfModel()
    {
        var thenBranch = Graph([Node("Identity", ["nx"], ["t"])], [], [ValueInfo("t", OnnxDataType.Float)]);
        var elseBranch = Graph([Node("Abs", ["x"], ["e"])], [], [ValueInfo("e", OnnxDataType.Float)]);
        var bytes = Model(
            [Node("If", ["c"], ["y"], "if", GraphAttr("then_branch", thenBranch), GraphAttr("else_branch", elseBranch)),
             Node("Neg", ["x"], ["nx"])],
            [ValueInfo("c", OnnxDataType.Bool), ValueInfo("x", OnnxDataType.Float, 1, 4)],
            [ValueInfo("y", OnnxDataType.Float)]);
        return OnnxModel.Load(bytes);
    }

    [Theory]
    [InlineData(true, new float[] { 1, -2, 3, -4 })]
    [InlineData(false, new float[] { 1, 2, 3, 4 })]
    public void If_runs_the_chosen_branch_with_outer_scope_values(bool cond, float[] expected)
    {
        var model = IfModel();
        Assert.Equal(["Neg", "If"], model.Nodes.Select(n => n.OpType));
        var y = model.Run(new Dictionary<string, Tensor>
        {
            ["c"] = Tensor.From(new[] { cond }, new Shape()),
            ["x"] = Tensor.From(new float[] { -1, 2, -3, 4 }, new Shape(1, 4)),
        })["y"];
        Assert.Equal(expected, y.ToArray<float>());
    }

    [Fact]
    public void Unsupported_operators_inside_branches_are_listed_at_load_time()
    {
        var thenBranch = Graph([Node("Mystery", ["x"], ["t"])], [], [ValueInfo("t", OnnxDataType.Float)]);
        var elseBranch = Graph([Node("Abs", ["x"], ["e"])], [], [ValueInfo("e", OnnxDataType.Float)]);
        var bytes = Model(
            [Node("If", ["c"], ["y"], "if", GraphAttr("then_branch", thenBranch), GraphAttr("else_branch", elseBranch))],
            [ValueInfo("c", OnnxDataType.Bool), ValueInfo("x", OnnxDataType.Float, 1, 4)],
            [ValueInfo("y", OnnxDataType.Float)]);
        Assert.Equal(["Mystery"], Assert.Throws<OnnxUnsupportedException>(() => OnnxModel.Load(bytes)).Operators);
    }

    [Fact]
    public void A_branch_reading_an_unknown_name_is_rejected_at_load_time()
    {
        var thenBranch = Graph([Node("Identity", ["nowhere"], ["t"])], [], [ValueInfo("t", OnnxDataType.Float)]);
        var elseBranch = Graph([Node("Abs", ["x"], ["e"])], [], [ValueInfo("e", OnnxDataType.Float)]);
        var bytes = Model(
            [Node("If", ["c"], ["y"], "if", GraphAttr("then_branch", thenBranch), GraphAttr("else_branch", elseBranch))],
            [ValueInfo("c", OnnxDataType.Bool), ValueInfo("x", OnnxDataType.Float, 1, 4)],
            [ValueInfo("y", OnnxDataType.Float)]);
        Assert.Contains("'nowhere'", Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(bytes)).Message);
    }
}
