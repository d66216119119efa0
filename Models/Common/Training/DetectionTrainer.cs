using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Scratch.Data;
using Scratch.IO;
using Scratch.Models.Common.Detection;
using Scratch.NN;
using Scratch.Optim;
using Scratch.Optim.Schedules;

namespace Scratch.Models.Common.Training;

/// <summary>One logged training step: the step number (1-based: steps done), the rate it used, each loss and their
/// sum, and the wall-clock seconds of the step (data wait included).</summary>
public sealed record TrainingProgress(long Iteration, long TotalIterations, double Lr,
    IReadOnlyDictionary<string, double> Losses, double TotalLoss, double Seconds);

/// <summary>Trains a <see cref="Detector"/> on a <see cref="CocoImageFolder"/> the way detectron2's default trainer
/// does: SGD with momentum, L2 weight decay except on normalisation layers, linear warmup + multi-step decay,
/// optional gradient-norm clipping, iteration-based checkpoints and a <c>metrics.jsonl</c> log.</summary>
/// <remarks>
/// <para>Determinism: the data order and every sample's augmentation come from the <see cref="DataLoader{TSample, TBatch}"/>
/// seeds (seed, epoch, index), the rate is a pure function of the step, and the checkpoint stores the weights, the
/// optimizer state and the loader position (epoch, batch), so stopping after a checkpoint and calling
/// <see cref="Resume"/> continues bit-identically to an uninterrupted run (given a detector whose forward pass draws
/// no random numbers of its own).</para>
/// <para>Files in <see cref="TrainerOptions.OutputDirectory"/>: <c>checkpoint.safetensors</c> (see
/// <see cref="TrainingCheckpoint"/>), <c>model.safetensors</c> (final weights under PyTorch key names, with
/// <see cref="WeightsMetadata"/>) and
/// <c>metrics.jsonl</c> (one object per logged step: <c>iter</c>, <c>lr</c>, each <c>loss_*</c>, <c>total</c>,
/// <c>data_seconds</c>, <c>seconds</c>).</para>
/// </remarks>
public sealed class DetectionTrainer
{
    /// <summary>Checkpoint file name inside the run folder.</summary>
    public const string CheckpointFile = "checkpoint.safetensors";

    /// <summary>Final weights file name inside the run folder.</summary>
    public const string ModelFile = "model.safetensors";

    /// <summary>Training log file name inside the run folder.</summary>
    public const string MetricsFile = "metrics.jsonl";

    private readonly DataLoader<DetectionSample, DetectionBatch> _loader;
    private readonly IDetectionTransform _transform;

    /// <summary>Prepares training of <paramref name="model"/> on <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Invalid options.</exception>
    /// <exception cref="ArgumentException">Fewer images than one batch, or a detector whose class count differs from
    /// the data's.</exception>
    public DetectionTrainer(Detector model, CocoImageFolder data, TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (data.Count < options.BatchSize)
            throw new ArgumentException($"DetectionTrainer: data expected at least BatchSize = {options.BatchSize} images, got {data.Count}.", nameof(data));
        if (model.NumClasses != data.NumClasses)
            throw new ArgumentException($"DetectionTrainer: model expected NumClasses = {data.NumClasses} (the data's categories), got {model.NumClasses}.", nameof(model));
        (Model, Data, Options) = (model, data, options);
        if (options.Device is { } device && DetectionEvaluator.DeviceOf(model) != device) model.To(device);
        Optimizer = new Sgd(ParamGroups(model, options.WeightDecay, options.WeightDecayNorm), lr: options.BaseLr, momentum: options.Momentum);
        Schedule = options.Schedule();
        var transform = _transform = TrainTransform(options);
        _loader = new DataLoader<DetectionSample, DetectionBatch>(data.Count,
            (i, rng) => transform.Apply(data.Load(i), rng),
            samples => DetectionBatch.Collate(samples),
            new DataLoaderOptions { BatchSize = options.BatchSize, Shuffle = true, DropLast = true, Seed = options.Seed, Workers = 0 });
        Position = new TrainingPosition(0, 0, 0, options.Seed);
    }

    /// <summary>The model being trained.</summary>
    public Detector Model { get; }

    /// <summary>The training data.</summary>
    public CocoImageFolder Data { get; }

    /// <summary>The settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>SGD over two groups: decayed parameters, then normalisation-layer parameters.</summary>
    public Sgd Optimizer { get; }

    /// <summary>The learning-rate schedule (<see cref="TrainerOptions.Schedule"/>).</summary>
    public LrSchedule Schedule { get; }

    /// <summary>Steps done and the loader position of the next batch.</summary>
    public TrainingPosition Position { get; private set; }

    /// <summary>Called after every step with its numbers (for progress bars).</summary>
    public Action<TrainingProgress>? Progress { get; set; }

    /// <summary>The checkpoint path in the run folder, or null without one.</summary>
    public string? CheckpointPath => Options.OutputDirectory is { } d ? Path.Combine(d, CheckpointFile) : null;

    /// <summary>The detectron2 split of <paramref name="model"/>'s parameters: group 0 holds every parameter that is not
    /// owned by a normalisation layer (batch / group / layer / instance norm) with <paramref name="weightDecay"/>,
    /// group 1 the normalisation parameters with <paramref name="weightDecayNorm"/>; module order is kept.</summary>
    public static ParamGroup[] ParamGroups(Module model, double weightDecay, double weightDecayNorm)
    {
        ArgumentNullException.ThrowIfNull(model);
        var norm = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (_, m) in model.NamedModules())
            if (m is BatchNormBase or GroupNorm or LayerNorm or InstanceNorm2d)
                foreach (var p in m.Parameters()) norm.Add(p);
        var all = model.Parameters().Cast<Tensor>().ToArray();
        return
        [
            new ParamGroup(all.Where(p => !norm.Contains(p))) { WeightDecay = weightDecay },
            new ParamGroup(all.Where(norm.Contains)) { WeightDecay = weightDecayNorm },
        ];
    }

    /// <summary>Restores model, optimizer and position from <paramref name="checkpointPath"/> (default: the run
    /// folder's checkpoint) and drops <c>metrics.jsonl</c> lines past the restored step (they will be logged again).
    /// Leftover temporary files of an interrupted save are ignored.</summary>
    /// <exception cref="FileNotFoundException">No checkpoint.</exception>
    /// <exception cref="InvalidDataException">A corrupt checkpoint or one that does not fit this model, or one written
    /// with another seed.</exception>
    public TrainingPosition Resume(string? checkpointPath = null)
    {
        var path = checkpointPath ?? CheckpointPath
            ?? throw new ArgumentException("DetectionTrainer.Resume: checkpointPath expected a path when the options have no OutputDirectory.", nameof(checkpointPath));
        var pos = TrainingCheckpoint.Load(path, Model, Optimizer);
        if (pos.Seed != Options.Seed)
            throw new InvalidDataException($"DetectionTrainer.Resume: checkpoint '{path}' was trained with seed {pos.Seed}, the options say {Options.Seed}; resuming would change the data order.");
        Position = pos;
        if (Options.OutputDirectory is { } dir) TruncateMetrics(Path.Combine(dir, MetricsFile), pos.Iteration);
        return pos;
    }

    /// <summary>Trains until <see cref="TrainerOptions.Iterations"/> steps are done, or only until step
    /// <paramref name="stopAt"/> when given (for staged runs), or until <paramref name="cancel"/> fires (after the
    /// current step). Checkpoints every <see cref="TrainerOptions.CheckpointEvery"/> steps; at the last step writes
    /// the checkpoint and <c>model.safetensors</c>.</summary>
    /// <exception cref="ArithmeticException">A loss became NaN or infinite (the message lists the losses).</exception>
    public void Train(long? stopAt = null, CancellationToken cancel = default)
    {
        var end = Math.Min(Options.Iterations, stopAt ?? long.MaxValue);
        var dir = Options.OutputDirectory;
        if (dir is not null) Directory.CreateDirectory(dir);
        using var metrics = dir is null ? null : new StreamWriter(Path.Combine(dir, MetricsFile), append: true, new UTF8Encoding(false));
        var parameters = Model.Parameters().Cast<Tensor>().ToArray();
        Model.Train();
        var clock = Stopwatch.StartNew();
        while (Position.Iteration < end && !cancel.IsCancellationRequested)
        {
            var plan = _loader.Plan(Position.Epoch);
            if (Position.BatchInEpoch >= plan.Count)
            {
                Position = Position with { Epoch = Position.Epoch + 1, BatchInEpoch = 0 };
                continue;
            }
            var epoch = Position.Epoch;
            var start = Position.BatchInEpoch;
            // Loads batches start.. of this epoch's plan, each sample with the generator the loader would give it.
            var rest = new DataLoader<DetectionBatch, DetectionBatch>(plan.Count - start,
                (b, _) => DetectionBatch.Collate([.. plan[start + b].Select(i => LoadSample(epoch, i))], device: Options.Device),
                batches => batches[0],
                new DataLoaderOptions { BatchSize = 1, Workers = Options.Workers, Prefetch = Math.Max(2, Options.Workers) });
            clock.Restart();
            foreach (var batch in rest.Epoch(0))
            {
                var dataSeconds = clock.Elapsed.TotalSeconds;
                var it = Position.Iteration;
                var lr = Schedule.Apply(Optimizer, it);
                var (values, totalValue) = Step(Model, Optimizer, batch, parameters, Options.ClipGradNorm, it);
                Position = Position with { Iteration = it + 1, BatchInEpoch = Position.BatchInEpoch + 1 };
                var seconds = clock.Elapsed.TotalSeconds;
                clock.Restart();
                var done = Position.Iteration;
                if (metrics is not null && (done % Options.LogEvery == 0 || done == Options.Iterations))
                {
                    metrics.WriteLine(MetricsLine(done, lr, values, totalValue, dataSeconds, seconds));
                    metrics.Flush();
                }
                if (dir is not null && done == Options.Iterations)
                {
                    Model.SaveSafetensors(Path.Combine(dir, ModelFile), WeightsMetadata());
                    SaveCheckpoint(Path.Combine(dir, CheckpointFile));
                }
                else if (dir is not null && Options.CheckpointEvery > 0 && done % Options.CheckpointEvery == 0)
                {
                    SaveCheckpoint(Path.Combine(dir, CheckpointFile));
                }
                Progress?.Invoke(new TrainingProgress(done, Options.Iterations, lr, values, totalValue, seconds));
                if (done >= end || cancel.IsCancellationRequested) break;
            }
        }
    }

    /// <summary>One optimizer step of <paramref name="model"/> on <paramref name="batch"/>, exactly as
    /// <see cref="Train"/> takes it: zero the gradients, <see cref="Detector.Losses"/>, their sum (keys in ordinal
    /// order), backward, optional gradient-norm clipping of <paramref name="parameters"/> to
    /// <paramref name="clipGradNorm"/>, <see cref="Optimizer.Step"/>, zero the gradients again; the step's
    /// intermediate buffers live in a <see cref="MemoryScope"/> that the next step recycles. The model must already
    /// be in training mode and the batch on the model's device. Returns each loss and the total as host numbers.
    /// </summary>
    /// <param name="model">The detector, in training mode.</param>
    /// <param name="optimizer">Its optimizer.</param>
    /// <param name="batch">The batch, on the model's device.</param>
    /// <param name="parameters">The parameters that clipping sees (the model's).</param>
    /// <param name="clipGradNorm">Joint L2 norm to clip to, or null for none.</param>
    /// <param name="iteration">0-based step number, only used in the error message.</param>
    /// <exception cref="ArithmeticException">The total loss is NaN or infinite (nothing was updated; the message
    /// lists the losses).</exception>
    /// <exception cref="InvalidOperationException">The detector returned no losses.</exception>
    public static (IReadOnlyDictionary<string, double> Losses, double Total) Step(Detector model, Optimizer optimizer,
        DetectionBatch batch, IReadOnlyList<Tensor> parameters, double? clipGradNorm = null, long iteration = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(parameters);
        using var memory = MemoryScope.Begin();
        optimizer.ZeroGrad();
        var losses = model.Losses(batch);
        Tensor? total = null;
        foreach (var (_, l) in losses.OrderBy(kv => kv.Key, StringComparer.Ordinal)) total = total is null ? l : total + l;
        if (total is null) throw new InvalidOperationException($"DetectionTrainer: {model.GetType().Name}.Losses returned no losses.");
        var values = losses.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value.Detach().Item());
        var totalValue = total.Detach().Item();
        if (!double.IsFinite(totalValue))
            throw new ArithmeticException($"DetectionTrainer: loss became non-finite at iteration {iteration + 1}: " +
                string.Join(", ", values.Select(kv => $"{kv.Key} = {kv.Value.ToString(CultureInfo.InvariantCulture)}")));
        total.Backward();
        if (clipGradNorm is { } clip) F.ClipGradNorm(parameters, clip);
        optimizer.Step();
        optimizer.ZeroGrad();
        return (values, totalValue);
    }

    /// <summary>Writes model, optimizer and position to <paramref name="path"/> atomically.</summary>
    public void SaveCheckpoint(string path) => TrainingCheckpoint.Save(path, Model, Optimizer, Position, WeightsMetadata());

    /// <summary>What the weights files carry besides tensors: <c>classes</c> (JSON array of the data's category names
    /// by label), <c>image_size</c> (when training resized), <c>iteration</c> and the entries of
    /// <see cref="TrainerOptions.Metadata"/>.</summary>
    public IReadOnlyDictionary<string, string> WeightsMetadata()
    {
        var m = Options.Metadata is null ? new Dictionary<string, string>() : new Dictionary<string, string>(Options.Metadata);
        m[TrainingCheckpoint.ClassesKey] = JsonSerializer.Serialize(Data.ClassNames);
        m["iteration"] = Position.Iteration.ToString(CultureInfo.InvariantCulture);
        if (Options.ImageSize is { } s) m[TrainingCheckpoint.ImageSizeKey] = s.ToString(CultureInfo.InvariantCulture);
        return m;
    }

    /// <summary>The training augmentation of <paramref name="options"/>: optional shortest-edge resize, then optional
    /// horizontal flip.</summary>
    public static IDetectionTransform TrainTransform(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var list = new List<IDetectionTransform>();
        if (options.ImageSize is { } s) list.Add(new ResizeShortestEdge(s, MaxSizeFor(s)));
        if (options.HorizontalFlip) list.Add(new RandomHorizontalFlip());
        return new Compose([.. list]);
    }

    /// <summary>The longer-edge limit used with shorter edge <paramref name="shortEdge"/> (1333/800 of it).</summary>
    public static int MaxSizeFor(int shortEdge) => (int)Math.Round(shortEdge * 1333.0 / 800);

    private DetectionSample LoadSample(int epoch, int index)
    {
        var rng = new Generator(_loader.SampleSeed(epoch, index));
        return _transform.Apply(Data.Load(index), rng);
    }

    private static string MetricsLine(long iter, double lr, IReadOnlyDictionary<string, double> losses, double total,
        double dataSeconds, double seconds)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("iter", iter);
            w.WriteNumber("lr", lr);
            foreach (var (k, v) in losses) WriteDouble(w, k, v);
            WriteDouble(w, "total", total);
            w.WriteNumber("data_seconds", Math.Round(dataSeconds, 6));
            w.WriteNumber("seconds", Math.Round(seconds, 6));
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static void WriteDouble(Utf8JsonWriter w, string key, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(key, v);
        else w.WriteString(key, v.ToString(CultureInfo.InvariantCulture));
    }

    private static void TruncateMetrics(string path, long iteration)
    {
        if (!File.Exists(path)) return;
        var keep = new List<string>();
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                if (doc.RootElement.TryGetProperty("iter", out var it) && it.GetInt64() <= iteration) keep.Add(line);
            }
            catch (JsonException)
            {
                // a line cut short by a crash: dropped
            }
        }
        var tmp = path + ".tmp";
        File.WriteAllLines(tmp, keep, new UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }
}
