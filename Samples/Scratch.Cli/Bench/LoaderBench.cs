using System.Diagnostics;
using System.Globalization;
using Scratch.Cli.Data;
using Scratch.Data;
using Scratch.Data.Coco;
using Scratch.Data.FashionDet;

namespace Scratch.Cli.Bench;

/// <summary><c>scratch bench loader [--workers 2] [--batch 8] [--size 320] [--images 512] [--unique 64]
/// [--gen-images 200] [--from DIR --split train] [--no-masks] [--threads T] [--json]</c>: the data pipeline's
/// throughput. (1) Generator: FashionDet images (photo backgrounds, embedded or installed Fashion-MNIST train items)
/// generated in memory with <c>Parallel.For</c> on all cores, in images/s. (2) Loader: a
/// <see cref="DataLoader{TSample, TBatch}"/> with W workers delivering augmented, collated batches
/// (scale jitter 0.75–1.25, horizontal flip, brightness/contrast 0.3, Gaussian blur with p = 0.3, ImageNet
/// normalisation, padding to a multiple of 32, instance masks carried through) to a consumer that only counts them,
/// in images/s, timed from the first delivered batch. Samples come from <c>--unique</c> pre-generated FashionDet
/// images held in memory, or with <c>--from DIR</c> from a COCO set written by <c>scratch data fashiondet</c>
/// (PNG decode and RLE mask decode included).</summary>
internal static class LoaderBench
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch bench loader [--workers 2] [--batch 8] [--size 320] [--images 512] [--unique 64] [--gen-images 200]\n" +
        "                            [--from DIR [--split train]] [--no-masks] [--threads T] [--json]\n" +
        "  reports the FashionDet generator's images/s (all cores) and the augmented images/s the loader delivers\n" +
        "  (alias: scratch bench fashiondet)";

    /// <summary>Runs the benchmark; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        int workers, batch, size, images, unique, genImages, threads;
        bool json, masks;
        string? from, split;
        try
        {
            var (rest, f, sp) = TakeStrings(args);
            from = f;
            split = sp ?? "train";
            var p = new ArgParser("bench loader", rest, ["workers", "batch", "size", "images", "unique", "gen-images", "threads"], ["json", "no-masks"]);
            workers = p.Int("workers", 2, min: 0);
            batch = p.Int("batch", 8);
            size = p.Int("size", 320, min: 32);
            images = p.Int("images", 512);
            unique = p.Int("unique", 64);
            genImages = p.Int("gen-images", 200, min: 0);
            threads = p.Int("threads", 0, min: 0);
            json = p.Flag("json");
            masks = !p.Flag("no-masks");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        if (ThreadLimit.Enforce(threads) is { } exitCode) return exitCode;

        var data = FashionMnist.Load(Split.Train);
        var (items, labels) = DataCommand.ToBytes(data);
        var gen = new FashionDetGenerator(items, labels, new FashionDetOptions { Size = size, Photos = PhotoSet.Embedded("train") });

        // (1) Generator throughput.
        double genRate = 0, genCpuMs = 0;
        if (genImages > 0)
        {
            Parallel.For(0, Math.Min(8, genImages), i => gen.Generate(new Generator(FashionDetWriter.ImageSeed(99, i))));
            var cpu0 = Cpu();
            var sw = Stopwatch.StartNew();
            Parallel.For(0, genImages, i => gen.Generate(new Generator(FashionDetWriter.ImageSeed(1, i))));
            genRate = genImages / sw.Elapsed.TotalSeconds;
            genCpuMs = (Cpu() - cpu0) / genImages;
        }

        // (2) Loader throughput.
        Func<int, DetectionSample> source;
        int count;
        string origin;
        if (from is not null)
        {
            try
            {
                var ds = CocoDataset.Read(Path.Combine(from, "annotations", $"instances_{split}.json"));
                var coco = new CocoDetectionSource(ds, Path.Combine(from, "images", split), masks);
                source = coco.Load;
                count = coco.Count;
                origin = $"{from} ({split}, {count} images, PNG decode)";
            }
            catch (Exception e) when (e is IOException or CocoFormatException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"scratch bench loader: {e.Message}");
                return 1;
            }
        }
        else
        {
            var cache = new DetectionSample[unique];
            Parallel.For(0, unique, i =>
            {
                var s = gen.Generate(new Generator(FashionDetWriter.ImageSeed(7, i))).ToSample(i);
                cache[i] = masks ? s : s.With(s.Image, s.Height, s.Width, s.Boxes, s.Labels, null);
            });
            source = i => cache[i];
            count = unique;
            origin = $"{unique} in-memory FashionDet images";
        }
        var augment = new Compose(
            new ScaleJitter(0.75, 1.25),
            new RandomHorizontalFlip(),
            new BrightnessContrast(0.3, 0.3),
            new GaussianBlur(0.1, 1.5, 0.3),
            new Normalize([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]));
        var loader = new DataLoader<DetectionSample, DetectionBatch>(count, (i, rng) => augment.Apply(source(i), rng),
            s => DetectionBatch.Collate(s, 32), new DataLoaderOptions { BatchSize = batch, Shuffle = true, Workers = workers, Seed = 1 });
        long delivered = 0, instances = 0;
        var started = false;
        var timer = new Stopwatch();
        var cpuStart = 0.0;
        for (var epoch = 0; delivered < images; epoch++)
        {
            foreach (var b in loader.Epoch(epoch))
            {
                if (!started) { started = true; timer.Start(); cpuStart = Cpu(); continue; }
                delivered += b.Count;
                instances += b.Labels.Sum(l => (long)l.Size(0));
                if (delivered >= images) break;
            }
        }
        var loaderRate = delivered / timer.Elapsed.TotalSeconds;
        var loaderCpuMs = (Cpu() - cpuStart) / delivered;
        var cores = Environment.ProcessorCount;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(json
            ? string.Create(inv, $"{{\"op\":\"loader\",\"size\":{size},\"batch\":{batch},\"workers\":{workers},\"cores\":{cores},\"masks\":{(masks ? "true" : "false")},\"images\":{delivered},\"loader_images_per_s\":{loaderRate:0.#},\"generator_images\":{genImages},\"generator_images_per_s\":{genRate:0.#},\"loader_cpu_ms_per_image\":{loaderCpuMs:0.##},\"generator_cpu_ms_per_image\":{genCpuMs:0.##}}}")
            : (genImages == 0 ? "" : string.Create(inv, $"generator: {genImages} FashionDet images {size}x{size} (photo backgrounds, {data.Origin}) on {cores} cores: {genRate:0.0} images/s ({genCpuMs:0.0} CPU ms per image)\n")) +
              string.Create(inv, $"loader: {delivered} augmented images ({instances} instances{(masks ? " with masks" : "")}) from {origin}, batch {batch}, {workers} workers, {cores} cores: {loaderRate:0.0} images/s ({loaderCpuMs:0.0} CPU ms per image)"));
        return 0;
    }

    /// <summary>CPU time of this process so far, in milliseconds (all threads): divided by the images it gives a
    /// throughput figure that does not depend on what else runs on the machine.</summary>
    private static double Cpu() => Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

    /// <summary>Removes <c>--from DIR</c> and <c>--split S</c> (string options) from the arguments.</summary>
    private static (List<string> Remaining, string? From, string? Split) TakeStrings(string[] args)
    {
        string? from = null, split = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--from" or "--split")
            {
                if (i + 1 >= args.Length) throw new ArgumentException($"bench loader: {args[i]} expects a value.");
                if (args[i] == "--from") from = args[++i];
                else split = args[++i];
            }
            else
            {
                rest.Add(args[i]);
            }
        }
        return (rest, from, split);
    }
}
