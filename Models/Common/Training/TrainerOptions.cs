using Scratch.Optim.Schedules;

namespace Scratch.Models.Common.Training;

/// <summary>Settings of <see cref="DetectionTrainer"/> (detectron2's SOLVER / INPUT / DATALOADER defaults where they
/// apply).</summary>
public sealed record TrainerOptions
{
    /// <summary>Total optimizer steps (detectron2 <c>MAX_ITER</c>).</summary>
    public long Iterations { get; init; } = 1000;

    /// <summary>Images per step (<c>IMS_PER_BATCH</c>).</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Peak learning rate (<c>BASE_LR</c>).</summary>
    public double BaseLr { get; init; } = 0.01;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 weight decay of every parameter except those of normalisation layers (biases included, as
    /// detectron2's default <c>WEIGHT_DECAY_BIAS = WEIGHT_DECAY</c>).</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Weight decay of normalisation-layer parameters (batch / group / layer / instance norm scales and
    /// shifts; detectron2 <c>WEIGHT_DECAY_NORM</c> = 0).</summary>
    public double WeightDecayNorm { get; init; }

    /// <summary>Steps of linear warmup (<c>WARMUP_ITERS</c>).</summary>
    public long WarmupIterations { get; init; } = 1000;

    /// <summary>Learning-rate factor at step 0 of the warmup (<c>WARMUP_FACTOR</c>).</summary>
    public double WarmupFactor { get; init; } = 0.001;

    /// <summary>Steps at which the rate is multiplied by <see cref="Gamma"/> (<c>STEPS</c>).</summary>
    public IReadOnlyList<long> Milestones { get; init; } = [];

    /// <summary>Decay factor at each milestone.</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>When set, gradients are clipped to this joint L2 norm before each step.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>Write a checkpoint every this many steps (0: only at the end).</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Append a line to <c>metrics.jsonl</c> every this many steps (and at the last).</summary>
    public int LogEvery { get; init; } = 1;

    /// <summary>Seed of the data order and of every sample's augmentation generator.</summary>
    public ulong Seed { get; init; }

    /// <summary>Background data-loading workers (the batches do not depend on it).</summary>
    public int Workers { get; init; }

    /// <summary>When set, images are resized so their shorter edge is this many pixels (longer edge at most
    /// 1333/800 of it), in training and evaluation; detections are mapped back to the original pixels.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Random horizontal flip (p = 0.5) in training.</summary>
    public bool HorizontalFlip { get; init; } = true;

    /// <summary>Where the model trains: when set, the constructor of <see cref="DetectionTrainer"/> moves the model's
    /// parameters and buffers there (the optimizer state follows them) and every batch is collated onto it; null
    /// leaves the model where it is and collates on the host. Checkpoints and weights are written from host copies
    /// and load back onto the parameters' device.</summary>
    public Device? Device { get; init; }

    /// <summary>Run folder for <c>checkpoint.safetensors</c>, <c>model.safetensors</c> and <c>metrics.jsonl</c>;
    /// null writes nothing.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Extra string entries written into the weights and checkpoint metadata (e.g. how the model was
    /// built, so that evaluation can rebuild it); the trainer's own keys take precedence.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The learning-rate schedule these options describe: detectron2's <c>WarmupMultiStepLR</c>,
    /// lr(t) = BaseLr · Gamma^(milestones ≤ t) · warmup(t), warmup(t) = WarmupFactor·(1 − t/W) + t/W for t &lt; W
    /// and 1 after.</summary>
    public LrSchedule Schedule() =>
        new WarmupLr(new MultiStepLr(BaseLr, Milestones, Gamma), WarmupIterations, WarmupFactor, WarmupMethod.Linear);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        static void Check(bool ok, string name, object value, string expected)
        {
            if (!ok) throw new ArgumentOutOfRangeException(name, value, $"TrainerOptions: {name} expected {expected}, got {value}.");
        }
        Check(Iterations >= 1, nameof(Iterations), Iterations, ">= 1");
        Check(BatchSize >= 1, nameof(BatchSize), BatchSize, ">= 1");
        Check(double.IsFinite(BaseLr) && BaseLr >= 0, nameof(BaseLr), BaseLr, "a finite value >= 0");
        Check(Momentum >= 0, nameof(Momentum), Momentum, ">= 0");
        Check(WeightDecay >= 0, nameof(WeightDecay), WeightDecay, ">= 0");
        Check(WeightDecayNorm >= 0, nameof(WeightDecayNorm), WeightDecayNorm, ">= 0");
        Check(WarmupIterations >= 0, nameof(WarmupIterations), WarmupIterations, ">= 0");
        Check(ClipGradNorm is null or > 0, nameof(ClipGradNorm), ClipGradNorm ?? 0, "> 0 or unset");
        Check(CheckpointEvery >= 0, nameof(CheckpointEvery), CheckpointEvery, ">= 0");
        Check(LogEvery >= 1, nameof(LogEvery), LogEvery, ">= 1");
        Check(Workers >= 0, nameof(Workers), Workers, ">= 0");
        Check(ImageSize is null or >= 8, nameof(ImageSize), ImageSize ?? 0, ">= 8 or unset");
    }
}
