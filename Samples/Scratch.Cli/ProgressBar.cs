using System.Diagnostics;
using System.Globalization;

namespace Scratch.Cli;

/// <summary>A one-line progress display redrawn in place with <c>\r</c>:
/// <c>epoch 1/5 [#####.....] 120/470 loss 0.4321 acc 84.1% 812.3 it/s ETA 0:03</c>. Silent when disabled
/// (--json mode) or when standard error, its default output, is redirected.</summary>
internal sealed class ProgressBar
{
    private const int Width = 24;
    private readonly TextWriter _out;
    private readonly bool _enabled;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _label;
    private readonly long _total;
    private TimeSpan _lastDraw = TimeSpan.FromDays(-1);
    private int _lastLength;

    /// <summary>Starts a bar for <paramref name="total"/> steps.</summary>
    public ProgressBar(string label, long total, bool enabled, TextWriter? output = null)
    {
        _label = label;
        _total = Math.Max(1, total);
        _out = output ?? Console.Error;
        _enabled = enabled && (output is not null || !Console.IsErrorRedirected);
    }

    /// <summary>Redraws the line after <paramref name="step"/> steps (at most ~10 times a second, always at the end).
    /// </summary>
    public void Update(long step, double loss, double accuracy)
    {
        if (!_enabled) return;
        var now = _clock.Elapsed;
        if (step < _total && now - _lastDraw < TimeSpan.FromMilliseconds(100)) return;
        _lastDraw = now;
        var rate = step / Math.Max(1e-9, now.TotalSeconds);
        var eta = rate > 0 ? TimeSpan.FromSeconds((_total - step) / rate) : TimeSpan.Zero;
        var filled = (int)(Width * Math.Min(step, _total) / _total);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{_label} [{new string('#', filled)}{new string('.', Width - filled)}] {step}/{_total} loss {loss:F4} acc {accuracy * 100:F1}% {rate:F1} it/s ETA {(int)eta.TotalMinutes}:{eta.Seconds:D2}");
        var pad = Math.Max(0, _lastLength - line.Length);
        _out.Write("\r" + line + new string(' ', pad));
        _lastLength = line.Length;
        _out.Flush();
    }

    /// <summary>Redraws the line after <paramref name="step"/> steps with free-form <paramref name="metrics"/>
    /// (e.g. loss components) between the counter and the rate; throttled like <see cref="Update(long, double, double)"/>.
    /// </summary>
    public void Update(long step, string metrics)
    {
        if (!_enabled) return;
        var now = _clock.Elapsed;
        if (step < _total && now - _lastDraw < TimeSpan.FromMilliseconds(100)) return;
        _lastDraw = now;
        var rate = step / Math.Max(1e-9, now.TotalSeconds);
        var eta = rate > 0 ? TimeSpan.FromSeconds((_total - step) / rate) : TimeSpan.Zero;
        var filled = (int)(Width * Math.Min(step, _total) / _total);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{_label} [{new string('#', filled)}{new string('.', Width - filled)}] {step}/{_total} {metrics} {rate:F2} it/s ETA {(int)eta.TotalHours}:{eta.Minutes:D2}:{eta.Seconds:D2}");
        var pad = Math.Max(0, _lastLength - line.Length);
        _out.Write("\r" + line + new string(' ', pad));
        _lastLength = line.Length;
        _out.Flush();
    }

    /// <summary>Ends the line (keeps the last state visible).</summary>
    public void Finish()
    {
        if (!_enabled || _lastLength == 0) return;
        _out.WriteLine();
        _lastLength = 0;
    }
}
