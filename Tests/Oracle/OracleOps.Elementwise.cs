namespace Scratch.Tests.Oracle;

public static partial class OracleOps
{
    private static void Elementwise(Dictionary<string, OpFn> t)
    {
        t["abs"] = (x, _) => One(F.Abs(x[0]));
        t["neg"] = (x, _) => One(F.Neg(x[0]));
        t["exp"] = (x, _) => One(F.Exp(x[0]));
        t["log"] = (x, _) => One(F.Log(x[0]));
        t["log1p"] = (x, _) => One(F.Log1p(x[0]));
        t["sqrt"] = (x, _) => One(F.Sqrt(x[0]));
        t["rsqrt"] = (x, _) => One(F.Rsqrt(x[0]));
        t["sin"] = (x, _) => One(F.Sin(x[0]));
        t["cos"] = (x, _) => One(F.Cos(x[0]));
        t["tanh"] = (x, _) => One(F.Tanh(x[0]));
        t["sigmoid"] = (x, _) => One(F.Sigmoid(x[0]));
        t["relu"] = (x, _) => One(F.Relu(x[0]));
        t["silu"] = (x, _) => One(F.Silu(x[0]));
        t["erf"] = (x, _) => One(F.Erf(x[0]));
        t["gelu"] = (x, a) => One(F.Gelu(x[0], a.Str("approximate", "none")));
        t["leaky_relu"] = (x, a) => One(F.LeakyRelu(x[0], a.Double("slope")));
        t["softplus"] = (x, a) => One(F.Softplus(x[0], a.Double("beta"), a.Double("threshold")));
        t["clamp"] = (x, a) => One(F.Clamp(x[0], a.Has("min") ? a.Double("min") : null,
            a.Has("max") ? a.Double("max") : null));
        t["pow_scalar"] = (x, a) => One(F.Pow(x[0], a.Double("exponent")));
        t["pow"] = (x, _) => One(F.Pow(x[0], x[1]));
        t["add"] = (x, _) => One(F.Add(x[0], x[1]));
        t["sub"] = (x, _) => One(F.Sub(x[0], x[1]));
        t["mul"] = (x, _) => One(F.Mul(x[0], x[1]));
        t["div"] = (x, _) => One(F.Div(x[0], x[1]));
        t["minimum"] = (x, _) => One(F.Minimum(x[0], x[1]));
        t["maximum"] = (x, _) => One(F.Maximum(x[0], x[1]));
        t["where"] = (x, _) => One(F.Where(x[0], x[1], x[2]));
        t["masked_fill"] = (x, a) => One(F.MaskedFill(x[0], x[1], a.Double("value")));
        t["eq"] = (x, _) => One(F.Eq(x[0], x[1]));
        t["ne"] = (x, _) => One(F.Ne(x[0], x[1]));
        t["lt"] = (x, _) => One(F.Lt(x[0], x[1]));
        t["le"] = (x, _) => One(F.Le(x[0], x[1]));
        t["gt"] = (x, _) => One(F.Gt(x[0], x[1]));
        t["ge"] = (x, _) => One(F.Ge(x[0], x[1]));
        t["eq_scalar"] = (x, a) => One(F.Eq(x[0], a.Double("value")));
        t["ne_scalar"] = (x, a) => One(F.Ne(x[0], a.Double("value")));
        t["lt_scalar"] = (x, a) => One(F.Lt(x[0], a.Double("value")));
        t["le_scalar"] = (x, a) => One(F.Le(x[0], a.Double("value")));
        t["gt_scalar"] = (x, a) => One(F.Gt(x[0], a.Double("value")));
        t["ge_scalar"] = (x, a) => One(F.Ge(x[0], a.Double("value")));
        t["logical_and"] = (x, _) => One(F.LogicalAnd(x[0], x[1]));
        t["logical_or"] = (x, _) => One(F.LogicalOr(x[0], x[1]));
        t["logical_xor"] = (x, _) => One(F.LogicalXor(x[0], x[1]));
        t["logical_not"] = (x, _) => One(F.LogicalNot(x[0]));
        t["isnan"] = (x, _) => One(F.IsNan(x[0]));
        t["isfinite"] = (x, _) => One(F.IsFinite(x[0]));
    }
}
