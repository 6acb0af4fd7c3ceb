package io.outrigger.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The rules see what they should: every main class under {@code io.outrigger} belongs to one
 * {@link OutriggerModule}, and every module has classes (so a mistyped root or a module missing
 * from this module's dependencies fails here instead of making the rules pass on nothing).
 */
@AnalyzeClasses(packages = "io.outrigger", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleMapTest {

    @ArchTest
    static void everyClassBelongsToAModule(JavaClasses classes) {
        List<String> strays = classes.stream()
                .filter(javaClass -> OutriggerModule.of(javaClass).isEmpty())
                .map(JavaClass::getName)
                .sorted()
                .collect(Collectors.toList());

        assertThat(strays)
                .as("classes under io.outrigger outside every module root of OutriggerModule (add their module)")
                .isEmpty();
    }

    @ArchTest
    static void everyModuleHasClasses(JavaClasses classes) {
        List<OutriggerModule> empty = Arrays.stream(OutriggerModule.values())
                .filter(module -> classes.stream()
                        .noneMatch(javaClass -> OutriggerModule.of(javaClass).orElse(null) == module))
                .collect(Collectors.toList());

        assertThat(empty)
                .as("modules with no class imported: is the package root right, and is the module a"
                        + " dependency of rpc-architecture?")
                .isEmpty();
    }
}
