using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Scratch.Tests.Backends.Gpu;

/// <summary>A fact of a GPU suite: reported as skipped, with the reason, when the suite's device does not exist
/// (see <see cref="GpuSuite.SkipReasonFor"/>).</summary>
[XunitTestCaseDiscoverer("Scratch.Tests.Backends.Gpu.GpuFactDiscoverer", "Scratch.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class GpuFactAttribute : FactAttribute;

/// <summary>Discovers <see cref="GpuFactAttribute"/> tests, turning them into skipped cases when the device of the
/// concrete test class is missing.</summary>
public sealed class GpuFactDiscoverer(IMessageSink sink) : IXunitTestCaseDiscoverer
{
    /// <inheritdoc/>
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions options, ITestMethod method,
        IAttributeInfo attribute)
    {
        var reason = GpuSuite.SkipReasonFor(method.TestClass.Class.ToRuntimeType());
        var display = options.MethodDisplayOrDefault();
        var displayOptions = options.MethodDisplayOptionsOrDefault();
        IXunitTestCase test = reason is null
            ? new XunitTestCase(sink, display, displayOptions, method)
            : new XunitSkippedDataRowTestCase(sink, display, displayOptions, method, reason);
        return [test];
    }
}
