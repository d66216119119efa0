using Scratch.IO.Onnx;
using Xunit;
using Xunit.Abstractions;

namespace Scratch.Tests.IO.Onnx;

/// <summary>Mutation fuzzing of the ONNX importer: ≥ 10k mutated model files, each loaded and, when it loads, run on
/// its test inputs. Every file must load and run, or fail with a controlled exception; never crash with an
/// unexpected exception type, hang, or allocate far beyond the model's size.</summary>
[Trait("Category", "Long")]
public class OnnxFuzzTests(ITestOutputHelper output)
{
    private static readonly int Mutations =
        int.TryParse(Environment.GetEnvironmentVariable("SCRATCH_FUZZ_MUTATIONS"), out var n) && n > 0 ? n : 10_000;
    private const long AllocationBound = 512L << 20;

    private static readonly string[] Folders =
    [
        "test_conv_with_strides_and_asymmetric_padding", "test_convtranspose_pads", "test_maxpool_2d_same_upper",
        "test_averagepool_2d_pads_count_include_pad", "test_resize_upsample_scales_cubic", "test_slice_neg_steps",
        "test_gather_2d_indices", "test_reshape_negative_dim", "test_nonmaxsuppression_two_batches", "test_roialign_aligned_true",
        "test_topk", "test_pad", "test_tile", "test_expand_dim_changed", "test_constantofshape_int_zeros", "test_split_variable_parts_2d",
        "test_if", "test_loop11", "test_trilu", "test_onehot_with_axis", "test_gathernd_example_float32",
        "test_lstm_with_peepholes", "test_gru_seq_length", "test_einsum_batch_matmul", "test_gridsample_bicubic",
        "test_sce_mean_weight_ii", "test_batchnorm_example_training_mode",
    ];

    private static byte[] Mutate(byte[] src, Random rng)
    {
        var b = (byte[])src.Clone();
        switch (rng.Next(6))
        {
            case 0:
                for (int i = 0, k = rng.Next(1, 9); i < k; i++) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 1:
                byte[] pick = [0, 0xff, 0x7f, 0x80, 0x01, 0x08, 0x12, 0x3A];
                for (int i = 0, k = rng.Next(1, 5); i < k; i++) b[rng.Next(b.Length)] = pick[rng.Next(pick.Length)];
                return b;
            case 2:
                return b[..rng.Next(b.Length)];
            case 3:
                var at = rng.Next(b.Length);
                rng.NextBytes(b.AsSpan(at, Math.Min(b.Length - at, rng.Next(1, 16))));
                return b;
            case 4:
                var d = rng.Next(b.Length);
                var len = Math.Min(b.Length - d, rng.Next(1, 32));
                return [.. b.AsSpan(0, d), .. b.AsSpan(d + len)];
            default:
                var s = rng.Next(b.Length);
                var l = Math.Min(b.Length - s, rng.Next(1, 32));
                return [.. b.AsSpan(0, s + l), .. b.AsSpan(s, l), .. b.AsSpan(s + l)];
        }
    }

    private static bool Controlled(Exception e) => e switch
    {
        OnnxFormatException or OnnxUnsupportedException or ArgumentException => true,
        InvalidOperationException { InnerException: { } inner } => inner is ArgumentException or InvalidOperationException
            or NotSupportedException or ShapeMismatchException or DTypeMismatchException or DeviceMismatchException
            or OnnxFormatException or OverflowException,
        _ => false,
    };

    private static List<(string Name, byte[] Model, Dictionary<string, Tensor> Inputs)> Corpus()
    {
        List<(string, byte[], Dictionary<string, Tensor>)> corpus =
        [
            ("relu_add", OnnxTestModels.ReluAddModel(),
                new Dictionary<string, Tensor> { ["x"] = Tensor.From(new float[] { -1, 2, -3, 4 }, new Shape(1, 4)) }),
        ];
        if (!Directory.Exists(OnnxTestModels.NodeRoot)) return corpus;
        foreach (var f in Folders)
        {
            var dir = Path.Combine(OnnxTestModels.NodeRoot, f);
            if (!File.Exists(Path.Combine(dir, "model.onnx"))) continue;
            var bytes = File.ReadAllBytes(Path.Combine(dir, "model.onnx"));
            var model = OnnxModel.Load(bytes);
            var inputs = new Dictionary<string, Tensor>();
            for (var i = 0; i < model.Inputs.Count; i++)
            {
                var p = Path.Combine(dir, "test_data_set_0", $"input_{i}.pb");
                if (File.Exists(p)) inputs[model.Inputs[i].Name] = OnnxTensors.ToTensor(OnnxProtoParser.ParseTensor(File.ReadAllBytes(p)));
            }
            corpus.Add((f, bytes, inputs));
        }
        return corpus;
    }

    [Fact]
    public void Mutated_models_load_and_run_or_fail_cleanly()
    {
        var corpus = Corpus();
        var perModel = (Mutations + corpus.Count - 1) / corpus.Count;
        int loaded = 0, ran = 0, rejected = 0, total = 0;
        List<string> bad = [];
        foreach (var (name, src, inputs) in corpus)
        {
            var rng = new Random(name.Length * 7919 + src.Length);
            for (var i = 0; i < perModel; i++, total++)
            {
                var bytes = Mutate(src, rng);
                var before = GC.GetTotalAllocatedBytes();
                try
                {
                    var model = OnnxModel.Load(bytes);
                    model.MaxElements = 1 << 22;
                    model.MaxLoopIterations = 1000;
                    loaded++;
                    model.Run(inputs);
                    ran++;
                }
                catch (Exception e) when (Controlled(e))
                {
                    rejected++;
                }
                catch (Exception e)
                {
                    if (bad.Count < 20) bad.Add($"{name} #{i}: {e.GetType().Name}: {e.Message} {e.InnerException?.GetType().Name}");
                }
                var allocated = GC.GetTotalAllocatedBytes() - before;
                if (allocated > AllocationBound && bad.Count < 20) bad.Add($"{name} #{i}: allocated {allocated >> 20} MiB");
            }
        }
        output.WriteLine($"{total} mutations over {corpus.Count} models: {loaded} loaded, {ran} ran, {rejected} rejected");
        Assert.True(total >= Mutations);
        Assert.True(bad.Count == 0, string.Join("\n", bad));
    }
}
