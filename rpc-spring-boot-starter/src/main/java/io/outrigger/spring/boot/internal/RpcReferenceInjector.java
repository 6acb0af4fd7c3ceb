package io.outrigger.spring.boot.internal;

import java.util.function.Function;
import org.springframework.beans.BeansException;
import org.springframework.beans.PropertyValues;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.PriorityOrdered;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Injects {@code @RpcReference} fields, as {@code @Autowired} fields are injected: after the bean is
 * constructed, before its init methods run. A broken reference fails the bean's creation with a
 * message naming the bean and the field.
 */
public final class RpcReferenceInjector
        implements InstantiationAwareBeanPostProcessor, PriorityOrdered, BeanFactoryAware {

    private final Function<ReferenceSpec, Object> proxies;
    private ConfigurableListableBeanFactory beanFactory;

    /** @param proxies makes the proxy of a checked reference (called lazily, at the first reference) */
    public RpcReferenceInjector(Function<ReferenceSpec, Object> proxies) {
        this.proxies = proxies;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
    }

    @Override
    public PropertyValues postProcessProperties(PropertyValues pvs, Object bean, String beanName)
            throws BeansException {
        for (RpcReferences.Site site : RpcReferences.sites(ClassUtils.getUserClass(bean.getClass()))) {
            if (site.field() == null) {
                continue; // constructor parameters are resolved by RpcReferenceParameterResolver
            }
            Object proxy;
            try {
                proxy = proxies.apply(RpcReferences.spec(site, beanName, beanFactory));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new BeanCreationException(beanName, e.getMessage(), e);
            }
            ReflectionUtils.makeAccessible(site.field());
            ReflectionUtils.setField(site.field(), bean, proxy);
        }
        return pvs;
    }

    @Override
    public int getOrder() {
        // Right after @Autowired injection (LOWEST_PRECEDENCE - 2), like @Resource.
        return Ordered.LOWEST_PRECEDENCE - 1;
    }
}
