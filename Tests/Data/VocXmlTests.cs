using Scratch.Data.Voc;
using Xunit;

namespace Scratch.Tests.Data;

public sealed class VocXmlTests
{
    private const string Sample = """
        <annotation>
          <folder>VOC2007</folder>
          <filename>000005.jpg</filename>
          <size><width>500</width><height>375</height><depth>3</depth></size>
          <object>
            <name>chair</name><pose>Rear</pose><truncated>0</truncated><difficult>0</difficult>
            <bndbox><xmin>263</xmin><ymin>211</ymin><xmax>324</xmax><ymax>339</ymax></bndbox>
          </object>
          <object>
            <name>chair</name><truncated>1</truncated><difficult>1</difficult>
            <bndbox><xmin>5</xmin><ymin>244</ymin><xmax>67</xmax><ymax>374</ymax></bndbox>
          </object>
          <object>
            <name> person </name>
            <bndbox><xmin>1</xmin><ymin>1.5</ymin><xmax>500</xmax><ymax>375</ymax></bndbox>
          </object>
        </annotation>
        """;

    [Fact]
    public void ParsesObjectsWithOneBasedBoxesFlagsAndLabels()
    {
        var a = VocXml.Parse(Sample, "000005.xml");
        Assert.Equal(("000005.jpg", 500, 375, 3), (a.FileName, a.Width, a.Height, a.Depth));
        Assert.Equal(3, a.Objects.Count);
        var chair = Array.IndexOf(VocXml.Classes, "chair");
        Assert.Equal(8, chair);
        Assert.Equal(new VocObject("chair", 8, [262f, 210f, 324f, 339f], false, false) with { Box = a.Objects[0].Box }, a.Objects[0]);
        Assert.Equal([262f, 210f, 324f, 339f], a.Objects[0].Box);
        Assert.True(a.Objects[1].Difficult);
        Assert.True(a.Objects[1].Truncated);
        Assert.Equal([4f, 243f, 67f, 374f], a.Objects[1].Box);
        Assert.Equal(("person", 14), (a.Objects[2].Name, a.Objects[2].Label));
        Assert.Equal([0f, 0.5f, 500f, 375f], a.Objects[2].Box); // a full-image box covers [0, W] x [0, H]
        Assert.False(a.Objects[2].Difficult);
        var (boxes, labels) = a.Targets(includeDifficult: false);
        Assert.Equal(new[] { 8, 14 }, labels);
        Assert.Equal(8, boxes.Length);
        Assert.Equal(3, a.Targets().Labels.Length);
    }

    [Fact]
    public void CustomClassListMapsNamesToItsOrder()
    {
        var a = VocXml.Parse(Sample, "x.xml", ["person", "chair"]);
        Assert.Equal(new[] { 1, 1, 0 }, a.Objects.Select(o => o.Label));
        Assert.Throws<ArgumentException>(() => VocXml.Parse(Sample, "x.xml", ["chair", "chair", "person"]));
    }

    [Theory]
    [InlineData("<name>chair</name><pose>Rear</pose>", "<name>sofa-bed</name><pose>Rear</pose>", "object 0 ('sofa-bed'): unknown class 'sofa-bed'")]
    [InlineData("<xmax>67</xmax>", "<xmax>3</xmax>", "object 1 ('chair'): empty box")]
    [InlineData("<xmax>324</xmax>", "<xmax>501</xmax>", "object 0 ('chair'): box xmin=263 ymin=211 xmax=501 ymax=339 leaves the 500x375 image")]
    [InlineData("<xmin>5</xmin>", "<xmin>0</xmin>", "object 1 ('chair'): box xmin=0")]
    [InlineData("<ymax>339</ymax>", "<ymax>abc</ymax>", "object 0 ('chair'): <ymax> must be a number, got 'abc'")]
    [InlineData("<ymax>339</ymax>", "", "object 0 ('chair'): missing <ymax>")]
    [InlineData("<difficult>1</difficult>", "<difficult>2</difficult>", "object 1 ('chair'): <difficult> must be 0 or 1")]
    [InlineData("<width>500</width>", "", "size: missing <width>")]
    [InlineData("</annotation>", "", "malformed XML")]
    [InlineData("<annotation>", "<annotations>", "malformed XML")]
    public void BadAnnotationsThrowNamingTheFileAndObject(string find, string replace, string expected)
    {
        var xml = Sample.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Sample, xml);
        var e = Assert.Throws<InvalidDataException>(() => VocXml.Parse(xml, "Annotations/000005.xml"));
        Assert.StartsWith("Annotations/000005.xml: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadNamesMissingFilesAndReadsFromDisk()
    {
        var path = Path.Combine(Path.GetTempPath(), $"scratch-voc-{Guid.NewGuid():N}.xml");
        Assert.Throws<FileNotFoundException>(() => VocXml.Read(path));
        File.WriteAllText(path, Sample);
        try
        {
            Assert.Equal(3, VocXml.Read(path).Objects.Count);
            File.WriteAllText(path, "<annotation><filename>a.jpg</filename></annotation>");
            var e = Assert.Throws<InvalidDataException>(() => VocXml.Read(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("missing <size>", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
