package dev.parvis.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.parvis.hv.Hypervisor;
import dev.parvis.vmcore.HypervisorServices;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md section 2, checked on the compiled main classes of every module: dependencies
 * point down only, and the one module above the kernel that may name it (root-partition) reaches
 * it only through its boot surface and {@link HypervisorServices}, never through the kernel's
 * internals (its page pool, partition table, dispatcher, ...). The benchmarks (dev.parvis.bench,
 * module tests, which may depend on everything) are measurement tools and exempt. What remains
 * of the paths that reach the kernel without a hypercall is listed with reasons in
 * docs/architecture-notes.md.
 */
class LayeringTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.parvis");

    /** What of hv-kernel a root-side class may name: booting it, configuring it, choosing a backend. */
    private static final DescribedPredicate<JavaClass> KERNEL_BOOT_SURFACE = DescribedPredicate.describe(
            "the kernel's boot surface (Hypervisor, HypervisorConfig, a ProcessorBackend, the BackendChoice that picks one)",
            c -> c.isEquivalentTo(Hypervisor.class) || c.getName().equals("dev.parvis.hv.HypervisorConfig")
                    || c.getName().equals("dev.parvis.hv.backend.BackendChoice")
                    || (c.getPackageName().startsWith("dev.parvis.hv.backend") && c.getSimpleName().endsWith("Backend")));

    /** The Hypervisor's methods a root-side class may call: those of HypervisorServices, boot and close. */
    private static final Set<String> SERVICE_METHODS = Stream.concat(
                    Arrays.stream(HypervisorServices.class.getMethods()).map(Method::getName), Stream.of("boot", "close"))
            .collect(Collectors.toUnmodifiableSet());

    @Test
    void everyModuleDependsOnlyOnTheModulesBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("hypercall-abi").definedBy("dev.parvis.abi..")
                .layer("vm-core").definedBy("dev.parvis.vmcore..")
                .layer("hv-kernel").definedBy("dev.parvis.hv..")
                .layer("vmbus").definedBy("dev.parvis.vmbus..")
                .layer("synthetic-devices").definedBy("dev.parvis.devices..")
                .layer("root-partition").definedBy("dev.parvis.root..")
                .layer("wmi-like-api").definedBy("dev.parvis.wmi..")
                .optionalLayer("shell").definedBy("dev.parvis.shell..")
                .whereLayer("hypercall-abi").mayNotAccessAnyLayer()
                .whereLayer("vm-core").mayOnlyAccessLayers("hypercall-abi")
                .whereLayer("hv-kernel").mayOnlyAccessLayers("hypercall-abi", "vm-core")
                .whereLayer("vmbus").mayOnlyAccessLayers("hypercall-abi", "vm-core")
                .whereLayer("synthetic-devices").mayOnlyAccessLayers("hypercall-abi", "vm-core", "vmbus")
                .whereLayer("root-partition").mayOnlyAccessLayers("hypercall-abi", "vm-core", "hv-kernel", "vmbus",
                        "synthetic-devices")
                .whereLayer("wmi-like-api").mayOnlyAccessLayers("hypercall-abi", "vm-core", "vmbus", "synthetic-devices",
                        "root-partition")
                .whereLayer("shell").mayOnlyAccessLayers("hypercall-abi", "vm-core", "wmi-like-api")
                .check(MAIN);
    }

    @Test
    void onlyTheRootPartitionNamesTheKernelAndOnlyToBootIt() {
        noClasses().that().resideOutsideOfPackages("dev.parvis.hv..", "dev.parvis.bench..")
                .should().dependOnClassesThat(DescribedPredicate.describe("in hv-kernel beyond its boot surface",
                        c -> c.getPackageName().startsWith("dev.parvis.hv") && !KERNEL_BOOT_SURFACE.test(c)))
                .check(MAIN);
        noClasses().that().resideOutsideOfPackages("dev.parvis.hv..", "dev.parvis.root..", "dev.parvis.bench..")
                .should().dependOnClassesThat(KERNEL_BOOT_SURFACE)
                .check(MAIN);
    }

    @Test
    void theRootReachesTheKernelOnlyThroughHypervisorServices() {
        noClasses().that().resideOutsideOfPackages("dev.parvis.hv..", "dev.parvis.bench..")
                .should().accessTargetWhere(DescribedPredicate.describe(
                        "a Hypervisor method that is not a HypervisorServices method (pool, partitions, dispatcher, ...)",
                        (JavaAccess<?> a) -> a.getTargetOwner().isEquivalentTo(Hypervisor.class)
                                && !SERVICE_METHODS.contains(a.getTarget().getName())))
                .check(MAIN);
    }

    /**
     * The root's paths into the kernel that are not hypercalls are exactly the ones
     * docs/architecture-notes.md lists with their reasons; {@code statistics} is closed (the root maps
     * a stats page with HvCallMapStatsPage instead), and a new one fails here until it is listed.
     */
    @Test
    void hypervisorServicesOffersOnlyTheListedSideDoors() {
        Set<String> listed = Set.of("gateway", "rootMemory", "rootSynic", "grants", "setDebugListener", "sendDebugData", "close");
        Set<String> offered = Arrays.stream(HypervisorServices.class.getMethods()).map(Method::getName)
                .collect(Collectors.toUnmodifiableSet());
        org.junit.jupiter.api.Assertions.assertEquals(listed, offered);
    }
}
