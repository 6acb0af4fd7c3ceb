package io.outrigger.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A type in an {@code internal} package is used only by the module that owns it; other modules go
 * through its public API. The uses that predate this check are listed, with reasons, in {@link
 * KnownInternalUses}; any other use fails the build, and so does an entry no longer needed.
 */
@AnalyzeClasses(packages = "io.outrigger", importOptions = ImportOption.DoNotIncludeTests.class)
class InternalPackagesTest {

    @ArchTest
    static final ArchRule internalTypesAreUsedOnlyByTheirModule = classes()
            .that(belongToAModule())
            .should(useNoInternalTypeOfAnotherModule())
            .because("internal packages are not API and may change in any release; use the owning module's"
                    + " public API, or ask for a public seam there (reviewed exceptions: KnownInternalUses)");

    @ArchTest
    static void everyKnownInternalUseIsStillNeeded(JavaClasses classes) {
        List<Use> uses = crossModuleInternalUses(classes);
        List<KnownInternalUse> paid = KnownInternalUses.ALL.stream()
                .filter(known -> uses.stream()
                        .noneMatch(use ->
                                known.user() == use.user() && known.type().equals(use.type())))
                .collect(Collectors.toList());

        assertThat(paid)
                .as("entries of KnownInternalUses whose module no longer uses the type: the debt is paid,"
                        + " remove them from the list")
                .isEmpty();
    }

    static DescribedPredicate<JavaClass> belongToAModule() {
        return DescribedPredicate.describe(
                "belong to an Outrigger module",
                javaClass -> OutriggerModule.of(javaClass).isPresent());
    }

    private static ArchCondition<JavaClass> useNoInternalTypeOfAnotherModule() {
        return new ArchCondition<>("use no internal type of another module") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    crossModuleInternalUse(dependency)
                            .filter(use -> !isKnown(use))
                            .ifPresent(use -> events.add(SimpleConditionEvent.violated(
                                    dependency,
                                    use.user() + " uses " + use.owner() + "'s internal type " + use.type() + ": "
                                            + dependency.getDescription())));
                }
            }
        };
    }

    private static List<Use> crossModuleInternalUses(JavaClasses classes) {
        return classes.stream()
                .filter(javaClass -> OutriggerModule.of(javaClass).isPresent())
                .flatMap(javaClass -> javaClass.getDirectDependenciesFromSelf().stream())
                .flatMap(dependency -> crossModuleInternalUse(dependency).stream())
                .collect(Collectors.toList());
    }

    /** The use of another module's internal type that {@code dependency} is, if it is one. */
    private static Optional<Use> crossModuleInternalUse(Dependency dependency) {
        Optional<OutriggerModule> user = OutriggerModule.of(dependency.getOriginClass());
        JavaClass target = dependency.getTargetClass().getBaseComponentType();
        Optional<OutriggerModule> owner = OutriggerModule.of(target);
        if (user.isEmpty() || owner.isEmpty() || user.get() == owner.get() || !OutriggerModule.isInternal(target)) {
            return Optional.empty();
        }
        return Optional.of(new Use(user.get(), owner.get(), topLevelName(target)));
    }

    private static boolean isKnown(Use use) {
        return KnownInternalUses.ALL.stream()
                .anyMatch(known -> known.user() == use.user() && known.type().equals(use.type()));
    }

    /** Nested classes count as their top-level type: {@code Outer$Inner} is a use of {@code Outer}. */
    private static String topLevelName(JavaClass javaClass) {
        String name = javaClass.getName();
        int nested = name.indexOf('$');
        return nested < 0 ? name : name.substring(0, nested);
    }

    private record Use(OutriggerModule user, OutriggerModule owner, String type) {}
}
