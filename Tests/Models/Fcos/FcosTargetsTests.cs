using Scratch.Models.Fcos;
using Xunit;

namespace Scratch.Tests.Models.Fcos;

public class FcosTargetsTests
{
    private static readonly int[] Strides = [8, 16, 32, 64, 128];

    private static Tensor[] Shifts(int image, double offset = 0) =>
        FcosAssigner.Shifts([.. Strides.Select(s => (image / s, image / s))], Strides, offset);

    private static FcosTargets Assign(Tensor[] shifts, params (float X1, float Y1, float X2, float Y2, long Label)[] gts) =>
        FcosAssigner.Assign(shifts, Strides, [Boxes(gts)], [Tensor.From(gts.Select(g => g.Label).ToArray())], 3);

    private static Tensor Boxes((float X1, float Y1, float X2, float Y2, long Label)[] gts) =>
        Tensor.From(gts.SelectMany(g => new[] { g.X1, g.Y1, g.X2, g.Y2 }).ToArray(), new Shape(gts.Length, 4));

    /// <summary>Level, (x, y) of every flattened location.</summary>
    private static List<(int Level, double X, double Y)> Locations(Tensor[] shifts)
    {
        var list = new List<(int, double, double)>();
        for (var l = 0; l < shifts.Length; l++)
        {
            var v = shifts[l].ToDoubleArray();
            for (var i = 0; i < v.Length / 2; i++) list.Add((l, v[2 * i], v[2 * i + 1]));
        }
        return list;
    }

    [Fact]
    public void Shifts_are_offset_grid_points_per_level()
    {
        var s = Shifts(64, 0.5);
        Assert.Equal([64, 16, 4, 1, 0], s.Select(t => (int)t.Shape[0]));
        Assert.Equal(new[] { 4.0, 4.0, 12.0, 4.0 }, s[0].ToDoubleArray()[..4]);
        Assert.Equal(new[] { 0.0, 0.0, 8.0, 0.0 }, Shifts(64)[0].ToDoubleArray()[..4]);
    }

    /// <summary>The definition, one (location, gt) pair at a time in double precision: candidate iff strictly inside
    /// the centre box (centre ± 1.5·stride clipped to the gt) and lo ≤ max(l,t,r,b) ≤ hi; the smallest-area
    /// candidate wins, the lower index on ties.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Assignment_equals_the_naive_definition_on_random_boxes(int seed)
    {
        var rng = new Random(seed);
        var shifts = Shifts(256, seed % 2 == 0 ? 0 : 0.5);
        var gts = new (float, float, float, float, long)[rng.Next(0, 12)];
        for (var j = 0; j < gts.Length; j++)
        {
            var (w, h) = (rng.Next(4, 250), rng.Next(4, 250));
            var (x, y) = (rng.Next(0, 256 - w), rng.Next(0, 256 - h));
            if (j > 0 && rng.Next(4) == 0) (w, h) = (h, w); // equal areas happen
            gts[j] = (x, y, x + w, y + h, rng.Next(3));
        }
        var t = Assign(shifts, gts);
        var cls = t.Classes.ToArray<long>();
        var matched = t.MatchedGt.ToArray<long>();
        var deltas = t.Deltas.ToDoubleArray();
        var ctr = t.Centerness.ToDoubleArray();
        var sizes = FcosTargetOptions.DefaultSizes;
        var locs = Locations(shifts);
        for (var i = 0; i < locs.Count; i++)
        {
            var (l, x, y) = locs[i];
            var r = 1.5 * Strides[l];
            var cands = Enumerable.Range(0, gts.Length).Where(j =>
            {
                var (x1, y1, x2, y2, _) = gts[j];
                var (cx, cy) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
                var inCentre = x > Math.Max(cx - r, x1) && y > Math.Max(cy - r, y1) && x < Math.Min(cx + r, x2) &&
                    y < Math.Min(cy + r, y2);
                var m = new[] { x - x1, y - y1, x2 - x, y2 - y }.Max();
                return inCentre && m >= sizes[l].Lo && m <= sizes[l].Hi;
            }).OrderBy(j => (double)(gts[j].Item3 - gts[j].Item1) * (gts[j].Item4 - gts[j].Item2)).ThenBy(j => j).ToList();
            var want = cands.Count == 0 ? -1 : cands[0];
            Assert.Equal(want, matched[i]);
            Assert.Equal(want < 0 ? 3 : gts[want].Item5, cls[i]);
            if (want < 0)
            {
                Assert.Equal(0, ctr[i]);
                continue;
            }
            var (gx1, gy1, gx2, gy2, _) = gts[want];
            var d = new[] { x - gx1, y - gy1, gx2 - x, gy2 - y };
            Assert.Equal(d, deltas[(4 * i)..(4 * i + 4)]);
            var c = Math.Sqrt(Math.Min(d[0], d[2]) / Math.Max(d[0], d[2]) * (Math.Min(d[1], d[3]) / Math.Max(d[1], d[3])));
            Assert.Equal(c, ctr[i], 5);
        }
        Assert.Equal(matched.Count(m => m >= 0), t.NumForeground);
    }

    [Fact]
    public void Only_locations_in_the_centre_region_are_positive()
    {
        // A 60×60 box centred at (100, 100): stride-8 centre region is 100 ± 12 → x, y ∈ {96, 104} (offset 0).
        var shifts = Shifts(256);
        var t = Assign(shifts, (70, 70, 130, 130, 1));
        var locs = Locations(shifts);
        var fg = Enumerable.Range(0, locs.Count).Where(i => t.MatchedGt.ToArray<long>()[i] == 0).Select(i => locs[i]).ToList();
        Assert.Equal([(0, 96.0, 96.0), (0, 104.0, 96.0), (0, 96.0, 104.0), (0, 104.0, 104.0)], fg);
        // Without centre sampling every interior stride-8 location (max distance ≤ 64) is positive.
        var all = FcosAssigner.Assign(shifts, Strides, [Boxes([(70, 70, 130, 130, 1)])], [Tensor.From(new long[] { 1 })], 3,
            new FcosTargetOptions(CenterSamplingRadius: 0));
        Assert.Equal(8 * 8, all.NumForeground); // x, y ∈ {72, 80, …, 128}
    }

    [Fact]
    public void Size_ranges_pick_the_level()
    {
        // A 200×200 box centred at (128, 128). Its centre location (128, 128) is 100 px from every side: level 1's
        // range (64, 128] takes it, not level 0 (≤ 64) or level 2 (≥ 128). Level 2's (96, 96) is 132 px from the
        // right/bottom sides, so it is level 2's.
        var shifts = Shifts(256);
        var t = Assign(shifts, (28, 28, 228, 228, 2));
        var locs = Locations(shifts);
        var m = t.MatchedGt.ToArray<long>();
        long At(int level, double x, double y) => m[locs.FindIndex(p => p == (level, x, y))];
        Assert.Equal(-1, At(0, 128, 128));
        Assert.Equal(0, At(1, 128, 128));
        Assert.Equal(-1, At(2, 128, 128));
        Assert.Equal(0, At(2, 96, 96));
        Assert.DoesNotContain(Enumerable.Range(0, locs.Count), i => m[i] == 0 && locs[i].Level is 0 or 3 or 4);
    }

    [Fact]
    public void Overlaps_go_to_the_smaller_box_and_equal_areas_to_the_lower_index()
    {
        var shifts = Shifts(256);
        var locs = Locations(shifts);
        var at = locs.FindIndex(p => p == (0, 104.0, 104.0));
        // Big box (index 0) contains small box (index 1): both have (104, 104) in their centre region at level 0.
        var t = Assign(shifts, (60, 60, 150, 150, 0), (90, 90, 120, 120, 2));
        Assert.Equal(1, t.MatchedGt.ToArray<long>()[at]);
        Assert.Equal(2, t.Classes.ToArray<long>()[at]);
        // Two 40×40 boxes sharing that location: the first listed wins.
        var u = Assign(shifts, (90, 88, 130, 128, 1), (80, 90, 120, 130, 0));
        Assert.Equal(0, u.MatchedGt.ToArray<long>()[at]);
        var v = Assign(shifts, (80, 90, 120, 130, 0), (90, 88, 130, 128, 1));
        Assert.Equal(0, v.MatchedGt.ToArray<long>()[at]);
        Assert.Equal(0, v.Classes.ToArray<long>()[at]);
    }

    [Fact]
    public void No_boxes_means_all_background()
    {
        var t = FcosAssigner.Assign(Shifts(64), Strides, [Tensor.Zeros(new Shape(0, 4))], [Tensor.Zeros(new Shape(0), DType.I64)], 5);
        Assert.All(t.Classes.ToArray<long>(), c => Assert.Equal(5, c));
        Assert.All(t.MatchedGt.ToArray<long>(), m => Assert.Equal(-1, m));
        Assert.Equal(0, t.NumForeground);
        Assert.Equal(new Shape(1, 85, 4), t.Deltas.Shape);
    }

    [Fact]
    public void Bad_inputs_name_the_argument()
    {
        var s = Shifts(64);
        var e = Assert.Throws<ShapeMismatchException>(() =>
            FcosAssigner.Assign(s, Strides, [Tensor.Zeros(new Shape(2, 5))], [Tensor.Zeros(new Shape(2), DType.I64)], 3));
        Assert.Contains("gtBoxes", e.Message);
        var a = Assert.Throws<ArgumentException>(() =>
            FcosAssigner.Assign(s, [8, 16], [Tensor.Zeros(new Shape(0, 4))], [Tensor.Zeros(new Shape(0), DType.I64)], 3));
        Assert.Contains("strides", a.Message);
        var b = Assert.Throws<ArgumentException>(() =>
            FcosAssigner.Assign(s, Strides, [Tensor.Zeros(new Shape(0, 4))], [], 3));
        Assert.Contains("gtLabels", b.Message);
    }
}
