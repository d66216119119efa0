using System.Diagnostics;
using Scratch.Cli.Data;
using Scratch.Data.FashionDet;

namespace Scratch.Cli;

/// <summary><c>scratch data fashiondet --out DIR --train N --val M --seed S [--size 320] [--threads T]
/// [--backgrounds photo|procedural]</c>: generates the FashionDet detection / segmentation set (Fashion-MNIST items on
/// random crops of real photographs, disjoint photo sets for train and val, or on procedural backgrounds) as COCO. Train items come
/// from the Fashion-MNIST train split, val items from the test split (installed full set when present, otherwise the
/// embedded subset). Train is seeded with S, val with S + 1.</summary>
internal static class DataCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: scratch data fashiondet --out DIR --train N --val M --seed S [--size 320] [--threads T]\n" +
        "                               [--backgrounds photo|procedural] [--digits]\n" +
        "  --digits: MNIST digits as a second domain (labels 10..19, from opencv-doc's digits.png when installed)\n" +
        "  backgrounds: crops of the embedded photographs (default; train and val use disjoint photo sets)\n" +
        "  or procedurally textured ones\n" +
        "  writes DIR/images/{train,val}/*.png, DIR/labels/{train,val}/*.png (0 = background, 1..10 = class + 1)\n" +
        "  and DIR/annotations/instances_{train,val}.json (COCO, RLE masks)";

    /// <summary>Runs the command; returns the exit code (0 ok, 1 I/O failure, 2 bad usage).</summary>
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" || args.Contains("--help"))
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] != "fashiondet")
        {
            Console.Error.WriteLine($"scratch data: unknown dataset '{args[0]}'.\n{Usage}");
            return 2;
        }
        string outDir;
        int train, val, size, threads;
        ulong seed;
        bool photos, digits;
        try
        {
            var rest = TakeOut(args[1..], out var o);
            rest = TakeBackgrounds(rest, out photos);
            outDir = o ?? throw new ArgumentException("data fashiondet: --out is required.");
            var p = new ArgParser("data fashiondet", rest, ["train", "val", "seed", "size", "threads"], ["digits"]);
            digits = p.Flag("digits");
            train = p.Int("train", 1000, min: 0);
            val = p.Int("val", 200, min: 0);
            seed = p.ULong("seed", 0);
            size = p.Int("size", 320, min: 32);
            threads = p.Int("threads", Environment.ProcessorCount);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"scratch {e.Message}\n{Usage}");
            return 2;
        }
        try
        {
            foreach (var (split, count, source, s) in new[] { ("train", train, Split.Train, seed), ("val", val, Split.Test, seed + 1) })
            {
                if (count == 0) continue;
                var data = FashionMnist.Load(source);
                var (items, labels) = ToBytes(data);
                var digitNote = "";
                if (digits)
                {
                    if (!MnistDigits.IsInstalled())
                    {
                        Console.Error.WriteLine($"scratch data fashiondet: --digits needs MNIST digits; none found at {MnistDigits.DefaultPath} (install opencv-doc).");
                        return 1;
                    }
                    var (di, dl) = MnistDigits.Load(split);
                    items = [.. items, .. di];
                    labels = [.. labels, .. dl.Select(l => l + 10)];
                    digitNote = $" + {dl.Length} MNIST digits";
                }
                var options = new FashionDetOptions { Size = size, Photos = photos ? PhotoSet.Embedded(split) : null, NumClasses = digits ? 20 : 10 };
                var gen = new FashionDetGenerator(items, labels, options);
                var sw = Stopwatch.StartNew();
                var ds = FashionDetWriter.Write(gen, outDir, split, count, s, threads, classes: digits ? FashionDetWriter.ClassesWithDigits : FashionDetWriter.Classes);
                var bg = options.Photos is { } ph ? $"{ph.Count} photos: {string.Join(", ", ph.Names)}" : "procedural backgrounds";
                Console.WriteLine($"{split}: {count} images, {ds.Annotations.Count} instances ({data.Origin}, {data.Count} items{digitNote}; {bg}) in {sw.Elapsed.TotalSeconds:F1} s");
            }
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"scratch data fashiondet: {e.Message}");
            return 1;
        }
    }

    /// <summary>Removes <c>--out DIR</c> (or <c>--out=DIR</c>) from <paramref name="args"/>.</summary>
    private static List<string> TakeOut(string[] args, out string? dir)
    {
        dir = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--out")
                dir = i + 1 < args.Length ? args[++i] : throw new ArgumentException("data fashiondet: --out expects a value.");
            else if (args[i].StartsWith("--out=", StringComparison.Ordinal)) dir = args[i][6..];
            else rest.Add(args[i]);
        }
        return rest;
    }

    /// <summary>Removes <c>--backgrounds photo|procedural</c> from <paramref name="args"/>.</summary>
    private static List<string> TakeBackgrounds(List<string> args, out bool photos)
    {
        photos = true;
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            string? v = null;
            if (args[i] == "--backgrounds")
                v = i + 1 < args.Count ? args[++i] : throw new ArgumentException("data fashiondet: --backgrounds expects a value.");
            else if (args[i].StartsWith("--backgrounds=", StringComparison.Ordinal)) v = args[i]["--backgrounds=".Length..];
            else { rest.Add(args[i]); continue; }
            photos = v switch
            {
                "photo" => true,
                "procedural" => false,
                _ => throw new ArgumentException($"data fashiondet: --backgrounds expects photo or procedural, got '{v}'."),
            };
        }
        return rest;
    }

    /// <summary>Undoes <see cref="FashionMnist"/>'s normalisation back to bytes 0..255.</summary>
    internal static (byte[] Items, int[] Labels) ToBytes(Dataset d)
    {
        var x = d.Images.ToArray<float>();
        var items = new byte[x.Length];
        for (var i = 0; i < x.Length; i++)
            items[i] = (byte)Math.Clamp((int)MathF.Round((x[i] * FashionMnist.Std + FashionMnist.Mean) * 255f), 0, 255);
        var labels = Array.ConvertAll(d.Labels.ToArray<long>(), v => (int)v);
        return (items, labels);
    }
}
