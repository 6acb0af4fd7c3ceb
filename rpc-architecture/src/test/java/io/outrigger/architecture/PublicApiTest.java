package io.outrigger.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.domain.ThrowsDeclaration;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The public API exposes no Netty type and no internal type: the public and protected signatures
 * (supertypes, type parameters, fields, constructor and method parameters, return types and thrown
 * exceptions, type arguments included) of public classes outside {@code internal} packages name
 * neither {@code io.netty} nor an {@code internal} package. The exposures that predate this check
 * are listed, with reasons, in {@link KnownApiExposures}; any other fails the build, and so does an
 * entry no longer needed.
 */
@AnalyzeClasses(packages = "io.outrigger", importOptions = ImportOption.DoNotIncludeTests.class)
class PublicApiTest {

    @ArchTest
    static final ArchRule publicSignaturesExposeNoNettyOrInternalType = classes()
            .that(arePublicApi())
            .should(exposeNoNettyOrInternalType())
            .because("Netty and internal types may change in any release, so users must never have to name"
                    + " them; wrap them in a public type of the module, or make the member package-private"
                    + " (reviewed exceptions: KnownApiExposures)");

    @ArchTest
    static void everyKnownApiExposureIsStillNeeded(JavaClasses classes) {
        Set<KnownApiExposure> stillExposed = classes.stream()
                .filter(PublicApiTest::isPublicApi)
                .flatMap(javaClass -> exposures(javaClass).stream())
                .flatMap(exposure -> known(exposure).stream())
                .collect(Collectors.toSet());
        List<KnownApiExposure> paid = KnownApiExposures.ALL.stream()
                .filter(known -> !stillExposed.contains(known))
                .collect(Collectors.toList());

        assertThat(paid)
                .as("entries of KnownApiExposures whose public type no longer exposes the type: the debt is"
                        + " paid, remove them from the list")
                .isEmpty();
    }

    private static DescribedPredicate<JavaClass> arePublicApi() {
        return DescribedPredicate.describe(
                "are public API (public, outside internal packages)", PublicApiTest::isPublicApi);
    }

    private static ArchCondition<JavaClass> exposeNoNettyOrInternalType() {
        return new ArchCondition<>("expose no io.netty or internal type in a public or protected signature") {
            @Override
            public void check(JavaClass javaClass, ConditionEvents events) {
                for (Exposure exposure : exposures(javaClass)) {
                    if (known(exposure).isEmpty()) {
                        events.add(SimpleConditionEvent.violated(javaClass, exposure.describe()));
                    }
                }
            }
        };
    }

    /** Every Netty or internal type that a public or protected signature of {@code javaClass} names. */
    private static List<Exposure> exposures(JavaClass javaClass) {
        List<Exposure> found = new ArrayList<>();
        javaClass.getSuperclass().ifPresent(type -> collect(javaClass, javaClass.getName(), "extends", type, found));
        for (JavaType type : javaClass.getInterfaces()) {
            collect(javaClass, javaClass.getName(), "implements", type, found);
        }
        for (JavaType type : javaClass.getTypeParameters()) {
            collect(javaClass, javaClass.getName(), "has a type parameter bounded by", type, found);
        }
        for (JavaField field : javaClass.getFields()) {
            if (isVisible(field)) {
                collect(javaClass, field.getFullName(), "has the type", field.getType(), found);
            }
        }
        for (JavaCodeUnit codeUnit : javaClass.getCodeUnits()) {
            if (!isVisible(codeUnit)) {
                continue;
            }
            String member = codeUnit.getFullName();
            for (JavaType parameter : codeUnit.getParameterTypes()) {
                collect(javaClass, member, "takes a parameter of", parameter, found);
            }
            collect(javaClass, member, "returns", codeUnit.getReturnType(), found);
            for (JavaType typeParameter : codeUnit.getTypeParameters()) {
                collect(javaClass, member, "has a type parameter bounded by", typeParameter, found);
            }
            for (ThrowsDeclaration<?> thrown : codeUnit.getThrowsClause()) {
                collect(javaClass, member, "throws", thrown.getRawType(), found);
            }
        }
        return found;
    }

    private static void collect(
            JavaClass javaClass, String member, String relation, JavaType type, List<Exposure> found) {
        for (JavaClass raw : type.getAllInvolvedRawTypes()) {
            JavaClass exposed = raw.getBaseComponentType();
            kind(exposed).ifPresent(kind -> found.add(new Exposure(javaClass, member, relation, kind, exposed)));
        }
    }

    /** What is wrong with naming {@code type} in public API, if anything. */
    private static Optional<String> kind(JavaClass type) {
        if (type.getPackageName().equals("io.netty") || type.getPackageName().startsWith("io.netty.")) {
            return Optional.of("the Netty type");
        }
        if (OutriggerModule.isInternal(type)) {
            return Optional.of("the internal type");
        }
        return Optional.empty();
    }

    private static Optional<KnownApiExposure> known(Exposure exposure) {
        return KnownApiExposures.ALL.stream()
                .filter(known -> known.publicType().equals(exposure.publicType().getName())
                        && known.exposedType().equals(exposure.exposed().getName()))
                .findFirst();
    }

    static boolean isPublicApi(JavaClass javaClass) {
        return OutriggerModule.of(javaClass).isPresent()
                && !OutriggerModule.isInternal(javaClass)
                && isPublicAllTheWayOut(javaClass);
    }

    private static boolean isVisible(JavaMember member) {
        Set<JavaModifier> modifiers = member.getModifiers();
        return (modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED))
                && !modifiers.contains(JavaModifier.SYNTHETIC)
                && !modifiers.contains(JavaModifier.BRIDGE);
    }

    /** A nested class is public API only when every class around it is public too. */
    private static boolean isPublicAllTheWayOut(JavaClass javaClass) {
        for (Optional<JavaClass> c = Optional.of(javaClass);
                c.isPresent();
                c = c.get().getEnclosingClass()) {
            if (!c.get().getModifiers().contains(JavaModifier.PUBLIC)) {
                return false;
            }
        }
        return true;
    }

    /** A public signature ({@code member} of {@code publicType}) naming a Netty or internal type. */
    private record Exposure(JavaClass publicType, String member, String relation, String kind, JavaClass exposed) {

        String describe() {
            return OutriggerModule.of(publicType).orElseThrow() + " public API: " + member + " " + relation + " " + kind
                    + " " + exposed.getName() + " (in " + publicType.getSimpleName() + ".java)";
        }
    }
}
