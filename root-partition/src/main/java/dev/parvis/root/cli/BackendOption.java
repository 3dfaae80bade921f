package dev.parvis.root.cli;

import dev.parvis.hv.backend.BackendChoice;
import picocli.CommandLine.Option;

/** {@code --backend kvm|unicorn|auto}, shared by the commands that boot a hypervisor. */
public final class BackendOption {
    @Option(names = "--backend", defaultValue = "auto", converter = Converter.class,
            description = "processor backend: kvm, unicorn or auto (default: ${DEFAULT-VALUE}; auto = kvm when /dev/kvm opens and a probe VM runs, else unicorn)")
    public BackendChoice backend;

    public static final class Converter implements picocli.CommandLine.ITypeConverter<BackendChoice> {
        @Override
        public BackendChoice convert(String value) {
            return BackendChoice.parse(value);
        }
    }
}
