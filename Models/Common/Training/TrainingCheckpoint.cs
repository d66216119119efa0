using System.Globalization;
using System.Text.Json;
using Scratch.IO;
using Scratch.NN;
using Scratch.Optim;

namespace Scratch.Models.Common.Training;

/// <summary>Where training stands: steps done, the data loader's position (epoch and batch within it) and the seed
/// that fixes the data order and augmentation.</summary>
public sealed record TrainingPosition(long Iteration, int Epoch, int BatchInEpoch, ulong Seed);

/// <summary>A training checkpoint is one safetensors file: the model's state dict under its PyTorch key names,
/// optimizer buffers under <c>optimizer/state/{index}/{buffer}</c> (a '/' never occurs in module keys), and string
/// metadata <c>format</c>, <c>iteration</c>, <c>epoch</c>, <c>batch_in_epoch</c>, <c>seed</c> and <c>optimizer</c>
/// (JSON: group hyper-parameters, group sizes, per-parameter step counts). It is written atomically (a temporary file
/// in the same folder, then <see cref="File.Move(string, string, bool)"/> over the target), so a crash leaves either
/// the previous checkpoint or the new one.</summary>
public static class TrainingCheckpoint
{
    /// <summary>The value of the <c>format</c> metadata entry.</summary>
    public const string Format = "scratch.detection-checkpoint/1";

    /// <summary>Prefix of optimizer tensors.</summary>
    public const string OptimizerPrefix = "optimizer/";

    /// <summary>Saves <paramref name="model"/>, <paramref name="optimizer"/> and <paramref name="position"/> to
    /// <paramref name="path"/>, with optional <paramref name="extraMetadata"/> (e.g. <see cref="ClassesKey"/>) beside
    /// the checkpoint's own entries.</summary>
    public static void Save(string path, Module model, Optimizer optimizer, TrainingPosition position,
        IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(position);
        var sd = model.StateDict();
        var state = optimizer.StateDict();
        var steps = new SortedDictionary<int, long>();
        foreach (var (i, entry) in state.State.OrderBy(kv => kv.Key))
        {
            steps[i] = entry.Step;
            foreach (var (name, buf) in entry.Buffers.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                sd.Add($"{OptimizerPrefix}state/{i}/{name}", buf);
        }
        var optimizerJson = JsonSerializer.Serialize(new OptimizerMeta(
            [.. state.Groups], [.. state.GroupSizes], steps.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value)));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["iteration"] = position.Iteration.ToString(CultureInfo.InvariantCulture),
            ["epoch"] = position.Epoch.ToString(CultureInfo.InvariantCulture),
            ["batch_in_epoch"] = position.BatchInEpoch.ToString(CultureInfo.InvariantCulture),
            ["seed"] = position.Seed.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = optimizerJson,
        };
        foreach (var (k, v) in extraMetadata ?? new Dictionary<string, string>()) metadata.TryAdd(k, v);
        var full = Path.GetFullPath(path);
        var tmp = full + ".tmp";
        Safetensors.Write(tmp, sd, metadata);
        File.Move(tmp, full, overwrite: true);
    }

    /// <summary>Restores <paramref name="model"/> and <paramref name="optimizer"/> from <paramref name="path"/> and
    /// returns the saved position.</summary>
    /// <exception cref="FileNotFoundException">No checkpoint at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is truncated or corrupt, is not a training checkpoint, or does
    /// not fit the model / optimizer; the message names the file and the problem.</exception>
    public static TrainingPosition Load(string path, Module model, Optimizer optimizer)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!File.Exists(path)) throw new FileNotFoundException($"TrainingCheckpoint: no checkpoint at '{path}'.", path);
        SafetensorsFile file;
        try
        {
            file = Safetensors.Read(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or JsonException)
        {
            throw Corrupt(path, e.Message, e);
        }
        var meta = file.Metadata;
        if (meta.GetValueOrDefault("format") != Format)
            throw Corrupt(path, $"metadata 'format' expected '{Format}', got '{meta.GetValueOrDefault("format") ?? "(none)"}'");
        try
        {
            var position = new TrainingPosition(
                long.Parse(Need(meta, "iteration"), CultureInfo.InvariantCulture),
                int.Parse(Need(meta, "epoch"), CultureInfo.InvariantCulture),
                int.Parse(Need(meta, "batch_in_epoch"), CultureInfo.InvariantCulture),
                ulong.Parse(Need(meta, "seed"), CultureInfo.InvariantCulture));
            var om = JsonSerializer.Deserialize<OptimizerMeta>(Need(meta, "optimizer"))
                ?? throw new InvalidDataException("metadata 'optimizer' is null");
            var weights = new StateDict();
            var buffers = new Dictionary<int, Dictionary<string, Tensor>>();
            foreach (var (key, t) in file.StateDict)
            {
                if (!key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
                {
                    weights.Add(key, t);
                    continue;
                }
                var parts = key[OptimizerPrefix.Length..].Split('/');
                if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var i))
                    throw new InvalidDataException($"unexpected optimizer tensor '{key}'");
                if (!buffers.TryGetValue(i, out var b)) buffers[i] = b = [];
                b[parts[2]] = t;
            }
            var state = new Dictionary<int, ParamStateEntry>();
            foreach (var (k, step) in om.Steps)
            {
                var i = int.Parse(k, CultureInfo.InvariantCulture);
                state[i] = new ParamStateEntry(step, buffers.GetValueOrDefault(i) ?? []);
            }
            if (buffers.Keys.FirstOrDefault(i => !state.ContainsKey(i), -1) is var orphan and >= 0)
                throw new InvalidDataException($"optimizer buffers for parameter {orphan} have no step count");
            model.LoadStateDict(weights, strict: true);
            optimizer.LoadStateDict(new OptimizerState(state, om.Groups, om.GroupSizes));
            return position;
        }
        catch (Exception e) when (e is FormatException or OverflowException or JsonException or ArgumentException or InvalidDataException)
        {
            throw Corrupt(path, e.Message, e);
        }
    }

    /// <summary>Metadata key of the class names (a JSON array of strings, index = label) in weights and checkpoints
    /// written by <see cref="DetectionTrainer"/>.</summary>
    public const string ClassesKey = "classes";

    /// <summary>Metadata key of the training image size (shorter edge), present when training resized.</summary>
    public const string ImageSizeKey = "image_size";

    /// <summary>The string metadata of a weights or checkpoint file.</summary>
    /// <exception cref="InvalidDataException">The file is not readable safetensors.</exception>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"TrainingCheckpoint: no weights file at '{path}'.", path);
        return Safetensors.Read(path).Metadata;
    }

    /// <summary>The class names stored under <see cref="ClassesKey"/>, or null.</summary>
    public static string[]? ClassNames(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(ClassesKey, out var json)) return null;
        try
        {
            return JsonSerializer.Deserialize<string[]>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Loads model weights from a training checkpoint or a plain weights file (optimizer tensors are
    /// ignored); strict about the model's keys.</summary>
    /// <exception cref="InvalidDataException">The file is unreadable or its weights do not fit the model.</exception>
    public static void LoadWeights(string path, Module model)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        if (!File.Exists(path)) throw new FileNotFoundException($"TrainingCheckpoint: no weights file at '{path}'.", path);
        try
        {
            var weights = new StateDict();
            foreach (var (key, t) in Safetensors.Read(path).StateDict)
                if (!key.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) weights.Add(key, t);
            model.LoadStateDict(weights, strict: true);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
        {
            throw new InvalidDataException($"TrainingCheckpoint: weights file '{path}' does not load into {model.GetType().Name}: {e.Message}", e);
        }
    }

    private static string Need(IReadOnlyDictionary<string, string> meta, string key) =>
        meta.GetValueOrDefault(key) ?? throw new InvalidDataException($"metadata '{key}' is missing");

    private static InvalidDataException Corrupt(string path, string problem, Exception? inner = null) =>
        new($"TrainingCheckpoint: '{path}' is not a usable training checkpoint ({problem}); delete it or pass another run folder to start afresh.", inner);

    private sealed record OptimizerMeta(GroupHyperParameters[] Groups, int[] GroupSizes, Dictionary<string, long> Steps);
}
