using Scratch.Models.Common.Backbones;
using Scratch.NN;
using NNL = Scratch.NN;

namespace Scratch.Tests.Oracle;

/// <summary>The Scratch.NN layer for each torch.nn module kind of the "layers" fixtures, built from the case's
/// constructor arguments, with a forward over the case's inputs.</summary>
public static class OracleModules
{
    /// <summary>Creates layer <c>args.kind</c>; the function runs it on the inputs (a loss gets input and target).</summary>
    public static (Module Module, Func<Tensor[], Tensor> Forward) Create(OracleArgs a, DType dtype)
    {
        Size2 S(string key) => a.Pair(key);
        Tensor? W(string key) => a.Has(key)
            ? Tensor.FromDoubles(a.Doubles(key), new Shape(a.Doubles(key).Length), dtype) : null;
        var reduction = a.Reduction;
        return a.Str("kind") switch
        {
            "Linear" => Unary(new NNL.Linear(a.Int("in"), a.Int("out"), a.Bool("bias"))),
            "Conv2d" => Unary(new NNL.Conv2d(a.Int("in"), a.Int("out"), S("kernel"), S("stride"), S("padding"),
                S("dilation"), a.Int("groups"), a.Bool("bias"))),
            "ConvTranspose2d" => Unary(new NNL.ConvTranspose2d(a.Int("in"), a.Int("out"), S("kernel"), S("stride"),
                S("padding"), S("output_padding"), a.Int("groups"), a.Bool("bias"), S("dilation"))),
            "BatchNorm2d" => Unary(new BatchNorm2d(a.Int("features"), momentum: Momentum(a),
                affine: a.Bool("affine", true), trackRunningStats: a.Bool("track", true))),
            "BatchNorm1d" => Unary(new BatchNorm1d(a.Int("features"), momentum: Momentum(a),
                affine: a.Bool("affine", true), trackRunningStats: a.Bool("track", true))),
            "InstanceNorm2d" => Unary(new InstanceNorm2d(a.Int("features"), affine: a.Bool("affine"),
                trackRunningStats: a.Bool("track"))),
            "FrozenBatchNorm2d" => Unary(new FrozenBatchNorm2d(a.Int("features"))),
            "GroupNorm" => Unary(new NNL.GroupNorm(a.Int("groups"), a.Int("channels"), affine: a.Bool("affine", true))),
            "LayerNorm" => Unary(new NNL.LayerNorm(a.Ints("shape"), elementwiseAffine: a.Bool("affine", true))),
            "ResNetBasicBlock" => Unary(new BasicBlock(a.Int("in"), a.Int("out"), a.Int("stride"), Norm(a))),
            "ResNetBottleneck" => Unary(new Bottleneck(a.Int("in"), a.Int("width"), a.Int("out"), a.Int("stride"),
                a.Int("groups"), strideInOneByOne: false, Norm(a))),
            "ReLU" => Unary(new ReLU()),
            "GELU" => Unary(new GELU(a.Str("approximate", "none"))),
            "SiLU" => Unary(new SiLU()),
            "Sigmoid" => Unary(new NNL.Sigmoid()),
            "Tanh" => Unary(new NNL.Tanh()),
            "Softplus" => Unary(new NNL.Softplus(a.Double("beta"), a.Double("threshold"))),
            "LeakyReLU" => Unary(new LeakyReLU(a.Double("slope"))),
            "Identity" => Unary(new Identity()),
            "Flatten" => Unary(new NNL.Flatten()),
            "Dropout" => Unary(new NNL.Dropout(a.Double("p"))),
            "MaxPool2d" => Unary(new NNL.MaxPool2d(S("kernel"), S("stride"), S("padding"))),
            "AvgPool2d" => Unary(new NNL.AvgPool2d(S("kernel"), S("stride"), S("padding"), a.Bool("ceil_mode"),
                a.Bool("count_include_pad", true))),
            "AdaptiveAvgPool2d" => Unary(new NNL.AdaptiveAvgPool2d(S("size"))),
            "AdaptiveMaxPool2d" => Unary(new NNL.AdaptiveMaxPool2d(S("size"))),
            "Upsample" => Unary(new Upsample(a.Has("size") ? S("size") : null,
                a.Has("scale") ? (Scale2)a.DoublePair("scale") : null,
                a.Str("mode") == "bilinear" ? InterpolateMode.Bilinear : InterpolateMode.Nearest,
                a.Has("align_corners") ? a.Bool("align_corners") : null)),
            "CrossEntropyLoss" => Binary(new CrossEntropyLoss(W("weight"), a.Int("ignore_index", -100), reduction,
                a.Double("label_smoothing", 0))),
            "NLLLoss" => Binary(new NLLLoss(W("weight"), a.Int("ignore_index", -100), reduction)),
            "MSELoss" => Loss(new MSELoss(reduction)),
            "L1Loss" => Loss(new NNL.L1Loss(reduction)),
            "SmoothL1Loss" => Loss(new NNL.SmoothL1Loss(reduction, a.Double("beta", 1.0))),
            "BCELoss" => Loss(new BCELoss(W("weight"), reduction)),
            "BCEWithLogitsLoss" => Loss(new BCEWithLogitsLoss(W("weight"), W("pos_weight"), reduction)),
            var k => throw new KeyNotFoundException($"no Scratch layer for fixture module kind '{k}'"),
        };
    }

    private static ResNetNorm Norm(OracleArgs a) =>
        a.Str("norm") == "frozen" ? ResNetNorm.FrozenBatchNorm : ResNetNorm.BatchNorm;

    private static double? Momentum(OracleArgs a) => a.Has("momentum") ? a.Double("momentum") : a.HasNull("momentum") ? null : 0.1;

    private static (Module, Func<Tensor[], Tensor>) Unary(Module<Tensor, Tensor> m) => (m, x => m.Forward(x[0]));

    private static (Module, Func<Tensor[], Tensor>) Binary(CrossEntropyLoss m) => (m, x => m.Forward(x[0], x[1]));

    private static (Module, Func<Tensor[], Tensor>) Binary(NLLLoss m) => (m, x => m.Forward(x[0], x[1]));

    private static (Module, Func<Tensor[], Tensor>) Loss(LossModule m) => (m, x => m.Forward(x[0], x[1]));
}
