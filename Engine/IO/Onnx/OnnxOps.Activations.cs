namespace Scratch.IO.Onnx;

internal static partial class OnnxOps
{
    /// <summary>Activations: Relu, LeakyRelu, PRelu, Sigmoid, Tanh, Elu, Selu, Celu, Softplus, Softsign,
    /// HardSigmoid, HardSwish, ThresholdedRelu, Shrink.</summary>
    private static void AddActivations(Dictionary<string, OnnxKernel> d)
    {
        d["Relu"] = c => One(c.X(0).DType.IsFloating() ? F.Relu(c.X(0)) : Map(c.X(0), v => Math.Max(v, 0)));
        d["LeakyRelu"] = c => One(F.LeakyRelu(c.X(0), c.Float("alpha", 0.01f)));
        d["PRelu"] = c =>
        {
            var (x, slope) = (c.X(0), c.X(1));
            return One(F.Where(F.Lt(x, 0), F.Mul(x, Same(slope, x)), x));
        };
        d["Sigmoid"] = c => One(F.Sigmoid(c.X(0)));
        d["Tanh"] = c => One(F.Tanh(c.X(0)));
        d["Elu"] = c =>
        {
            double alpha = c.Float("alpha", 1f);
            return One(Map(c.X(0), v => v < 0 ? alpha * (Math.Exp(v) - 1) : v));
        };
        d["Selu"] = c =>
        {
            double alpha = c.Float("alpha", 1.67326319217681884765625f), gamma = c.Float("gamma", 1.05070102214813232421875f);
            return One(Map(c.X(0), v => v <= 0 ? gamma * (alpha * Math.Exp(v) - alpha) : gamma * v));
        };
        d["Celu"] = c =>
        {
            double alpha = c.Float("alpha", 1f);
            return One(Map(c.X(0), v => Math.Max(0, v) + Math.Min(0, alpha * (Math.Exp(v / alpha) - 1))));
        };
        d["Softplus"] = c => One(Map(c.X(0), v => v > 30 ? v : Math.Log(1 + Math.Exp(v))));
        d["Softsign"] = c => One(Map(c.X(0), v => v / (1 + Math.Abs(v))));
        d["HardSigmoid"] = c =>
        {
            double alpha = c.Float("alpha", 0.2f), beta = c.Float("beta", 0.5f);
            return One(Map(c.X(0), v => Math.Max(0, Math.Min(1, alpha * v + beta))));
        };
        d["HardSwish"] = c => One(Map(c.X(0), v => v * Math.Max(0, Math.Min(1, v / 6 + 0.5))));
        d["ThresholdedRelu"] = c =>
        {
            double alpha = c.Float("alpha", 1f);
            return One(Map(c.X(0), v => v > alpha ? v : 0));
        };
        d["Shrink"] = c =>
        {
            double bias = c.Float("bias", 0f), lambd = c.Float("lambd", 0.5f);
            return One(Map(c.X(0), v => v < -lambd ? v + bias : v > lambd ? v - bias : 0));
        };
    }
}
