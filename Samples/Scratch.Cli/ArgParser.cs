using System.Globalization;

namespace Scratch.Cli;

/// <summary>A minimal parser for <c>--name value</c> options and <c>--flag</c> switches.</summary>
/// <remarks>Names listed as flags take no value; every other <c>--name</c> consumes the next argument (also written
/// <c>--name=value</c>). Unknown names, missing values and unparsable numbers throw <see cref="ArgumentException"/>
/// naming the option.</remarks>
internal sealed class ArgParser
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="args"/> against the known <paramref name="options"/> and
    /// <paramref name="flags"/> (names without the leading dashes).</summary>
    public ArgParser(string command, IEnumerable<string> args, IEnumerable<string> options, IEnumerable<string> flags)
    {
        var knownOptions = options.ToHashSet(StringComparer.Ordinal);
        var knownFlags = flags.ToHashSet(StringComparer.Ordinal);
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
                throw new ArgumentException($"{command}: unexpected argument '{a}' (options are --name value).");
            var name = a[2..];
            string? inline = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0) (name, inline) = (name[..eq], name[(eq + 1)..]);
            if (knownFlags.Contains(name))
            {
                if (inline is not null) throw new ArgumentException($"{command}: --{name} is a flag and takes no value.");
                _flags.Add(name);
            }
            else if (knownOptions.Contains(name))
            {
                var value = inline ?? (i + 1 < list.Count ? list[++i] : throw new ArgumentException($"{command}: --{name} expects a value."));
                _values[name] = value;
            }
            else
            {
                throw new ArgumentException($"{command}: unknown option --{name}.");
            }
        }
        Command = command;
    }

    /// <summary>The command these options belong to, for messages.</summary>
    public string Command { get; }

    /// <summary>Option <paramref name="name"/> as given, or <paramref name="fallback"/>.</summary>
    public string? String(string name, string? fallback = null) => _values.GetValueOrDefault(name, fallback!) ?? fallback;

    /// <summary>Option <paramref name="name"/>, which must be given.</summary>
    public string Required(string name) =>
        _values.GetValueOrDefault(name) ?? throw new ArgumentException($"{Command}: --{name} is required.");

    /// <summary>Option <paramref name="name"/> as a finite double ≥ 0, or the default.</summary>
    public double NonNegative(string name, double fallback)
    {
        if (!_values.TryGetValue(name, out var s)) return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < 0)
            throw new ArgumentException($"{Command}: --{name} expects a number >= 0, got '{s}'.");
        return v;
    }

    /// <summary>Whether flag <paramref name="name"/> was given.</summary>
    public bool Flag(string name) => _flags.Contains(name);

    /// <summary>Option <paramref name="name"/> as an int (≥ <paramref name="min"/>), or the default.</summary>
    public int Int(string name, int fallback, int min = 1)
    {
        if (!_values.TryGetValue(name, out var s)) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min)
            throw new ArgumentException($"{Command}: --{name} expects an integer >= {min}, got '{s}'.");
        return v;
    }

    /// <summary>Option <paramref name="name"/> as a positive finite double, or the default.</summary>
    public double Double(string name, double fallback)
    {
        if (!_values.TryGetValue(name, out var s)) return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v <= 0)
            throw new ArgumentException($"{Command}: --{name} expects a positive number, got '{s}'.");
        return v;
    }

    /// <summary>Option <paramref name="name"/> as an unsigned 64-bit integer, or the default.</summary>
    public ulong ULong(string name, ulong fallback)
    {
        if (!_values.TryGetValue(name, out var s)) return fallback;
        if (!ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw new ArgumentException($"{Command}: --{name} expects a non-negative integer, got '{s}'.");
        return v;
    }
}
