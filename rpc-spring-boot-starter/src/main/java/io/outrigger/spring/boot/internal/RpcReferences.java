package io.outrigger.spring.boot.internal;

import io.outrigger.spring.boot.RpcReference;
import io.outrigger.spring.boot.internal.ReferenceSpec.ClientKey;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/** Finds {@code @RpcReference} fields and constructor parameters of bean classes, and their fallbacks. */
public final class RpcReferences {

    private static final Map<Class<?>, List<Site>> SITES = new ConcurrentHashMap<>();

    private RpcReferences() {}

    /**
     * A place an {@code @RpcReference} is declared.
     *
     * @param field the field, or null for a constructor parameter
     * @param parameter the constructor parameter, or null for a field
     */
    public record Site(Field field, Parameter parameter, RpcReference annotation) {

        /** The declared type. */
        public Class<?> type() {
            return field != null ? field.getType() : parameter.getType();
        }

        /** {@code bean 'name' field 'users' (demo.Greeter)}, for messages. */
        public String where(String beanName) {
            String bean = beanName == null ? "" : "bean '" + beanName + "' ";
            if (field != null) {
                return bean + "field '" + field.getName() + "' ("
                        + field.getDeclaringClass().getName() + ")";
            }
            return bean + "constructor parameter '" + parameter.getName() + "' ("
                    + parameter.getDeclaringExecutable().getDeclaringClass().getName() + ")";
        }
    }

    /**
     * A fallback bean.
     *
     * @param type the service interface it answers for
     */
    public record FallbackBean(Class<?> type, Object bean) {}

    /** The {@code @RpcReference} fields (of the class and its superclasses) and constructor parameters. */
    public static List<Site> sites(Class<?> beanClass) {
        return SITES.computeIfAbsent(beanClass, RpcReferences::scan);
    }

    private static List<Site> scan(Class<?> type) {
        String name = type.getName();
        if (name.startsWith("java.") || name.startsWith("org.springframework.")) {
            return List.of();
        }
        List<Site> sites = new ArrayList<>();
        ReflectionUtils.doWithFields(type, f -> {
            RpcReference a = f.getAnnotation(RpcReference.class);
            if (a != null) {
                sites.add(new Site(f, null, a));
            }
        });
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            for (Parameter p : c.getParameters()) {
                RpcReference a = p.getAnnotation(RpcReference.class);
                if (a != null) {
                    sites.add(new Site(null, p, a));
                }
            }
        }
        return List.copyOf(sites);
    }

    /**
     * Checks the site: a static or final field, or an unreadable annotation, throws.
     *
     * @throws IllegalArgumentException naming the bean and the field
     */
    public static ReferenceSpec spec(Site site, String beanName, ConfigurableListableBeanFactory beanFactory) {
        String where = site.where(beanName);
        if (site.field() != null && Modifier.isStatic(site.field().getModifiers())) {
            throw new IllegalArgumentException(
                    where + ": @RpcReference on a static field (expected: an instance field)");
        }
        if (site.field() != null && Modifier.isFinal(site.field().getModifiers())) {
            throw new IllegalArgumentException(where
                    + ": @RpcReference on a final field (expected: a non-final field or a constructor parameter)");
        }
        ReferenceSpec spec = ReferenceSpec.of(site.annotation(), site.type(), where);
        if (!spec.fallback().isEmpty()) {
            fallbackBean(beanFactory, spec);
        }
        return spec;
    }

    /**
     * The fallbacks of every {@code @RpcReference} of the context's bean classes whose version and
     * group are {@code key}, by service name.
     */
    public static Map<String, FallbackBean> fallbacks(ConfigurableListableBeanFactory beanFactory, ClientKey key) {
        Map<String, FallbackBean> found = new LinkedHashMap<>();
        for (String name : beanFactory.getBeanDefinitionNames()) {
            Class<?> type;
            try {
                type = beanFactory.getType(name, false);
            } catch (RuntimeException e) {
                continue;
            }
            if (type == null) {
                continue;
            }
            for (Site site : sites(ClassUtils.getUserClass(type))) {
                RpcReference a = site.annotation();
                if (a.fallback().isEmpty() || !new ClientKey(a.version(), a.group()).equals(key)) {
                    continue;
                }
                ReferenceSpec spec = ReferenceSpec.of(a, site.type(), site.where(name));
                found.putIfAbsent(spec.service(), new FallbackBean(spec.type(), fallbackBean(beanFactory, spec)));
            }
        }
        return found;
    }

    private static Object fallbackBean(ConfigurableListableBeanFactory beanFactory, ReferenceSpec spec) {
        String name = spec.fallback();
        if (!beanFactory.containsBean(name)) {
            throw new IllegalArgumentException(
                    spec.where() + ": @RpcReference(fallback = \"" + name + "\"): no bean named '" + name
                            + "' (expected: a bean implementing " + spec.type().getName() + ")");
        }
        try {
            if (!beanFactory.isTypeMatch(name, spec.type())) {
                throw new IllegalArgumentException(spec.where() + ": @RpcReference(fallback = \"" + name + "\"): bean '"
                        + name + "' does not implement " + spec.type().getName());
            }
        } catch (NoSuchBeanDefinitionException e) {
            throw new IllegalArgumentException(
                    spec.where() + ": @RpcReference(fallback = \"" + name + "\"): no bean named '" + name + "'");
        }
        return beanFactory.getBean(name);
    }
}
