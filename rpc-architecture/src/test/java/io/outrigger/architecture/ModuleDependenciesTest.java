package io.outrigger.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The dependency rule: a module imports only the modules below it ({@link OutriggerModule} lists
 * them); nothing points up or sideways. rpc-registry, rpc-governance and rpc-observability do not
 * know each other, and rpc-core knows none of them. Main classes only: tests may assemble more.
 */
@AnalyzeClasses(packages = "io.outrigger", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleDependenciesTest {

    @ArchTest
    static final ArchRule modulesImportOnlyTheModulesBelowThem = classes()
            .that(InternalPackagesTest.belongToAModule())
            .should(importOnlyAllowedModules())
            .because("nothing points up or sideways: what two modules share moves down into a module both"
                    + " may import");

    private static ArchCondition<JavaClass> importOnlyAllowedModules() {
        return new ArchCondition<>("import only the modules their module may import") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                OutriggerModule user = OutriggerModule.of(origin).orElseThrow();
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    Optional<OutriggerModule> target = OutriggerModule.of(dependency.getTargetClass());
                    if (target.isPresent() && !user.mayImport(target.get())) {
                        events.add(SimpleConditionEvent.violated(
                                dependency,
                                user + " may not import " + target.get() + " (it may import: " + allowed(user) + "): "
                                        + dependency.getDescription()));
                    }
                }
            }
        };
    }

    private static String allowed(OutriggerModule user) {
        String list = Arrays.stream(OutriggerModule.values())
                .filter(other -> other != user && user.mayImport(other))
                .map(OutriggerModule::artifactId)
                .collect(Collectors.joining(", "));
        return list.isEmpty() ? "no other module" : list;
    }
}
