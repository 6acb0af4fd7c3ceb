package io.outrigger.spring.boot.internal;

import io.outrigger.spring.boot.RpcReference;
import java.util.function.Function;
import org.springframework.beans.factory.config.BeanDefinitionHolder;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.support.AutowireCandidateResolver;
import org.springframework.core.MethodParameter;

/**
 * Resolves constructor parameters annotated {@code @RpcReference} to proxies, the way {@code @Value}
 * parameters are resolved: as the suggested value of the dependency. Everything else goes to the
 * resolver it wraps.
 */
public final class RpcReferenceParameterResolver implements AutowireCandidateResolver {

    private final AutowireCandidateResolver delegate;
    private final ConfigurableListableBeanFactory beanFactory;
    private final Function<ReferenceSpec, Object> proxies;

    /** Wraps {@code delegate}. */
    public RpcReferenceParameterResolver(
            AutowireCandidateResolver delegate,
            ConfigurableListableBeanFactory beanFactory,
            Function<ReferenceSpec, Object> proxies) {
        this.delegate = delegate;
        this.beanFactory = beanFactory;
        this.proxies = proxies;
    }

    @Override
    public Object getSuggestedValue(DependencyDescriptor descriptor) {
        MethodParameter parameter = descriptor.getMethodParameter();
        RpcReference annotation = parameter == null ? null : parameter.getParameterAnnotation(RpcReference.class);
        if (annotation == null) {
            return delegate.getSuggestedValue(descriptor);
        }
        RpcReferences.Site site = new RpcReferences.Site(null, parameter.getParameter(), annotation);
        try {
            return proxies.apply(RpcReferences.spec(site, null, beanFactory));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public boolean isAutowireCandidate(BeanDefinitionHolder bdHolder, DependencyDescriptor descriptor) {
        return delegate.isAutowireCandidate(bdHolder, descriptor);
    }

    @Override
    public boolean isRequired(DependencyDescriptor descriptor) {
        return delegate.isRequired(descriptor);
    }

    @Override
    public boolean hasQualifier(DependencyDescriptor descriptor) {
        return delegate.hasQualifier(descriptor);
    }

    @Override
    public Object getLazyResolutionProxyIfNecessary(DependencyDescriptor descriptor, String beanName) {
        return delegate.getLazyResolutionProxyIfNecessary(descriptor, beanName);
    }

    @Override
    public Class<?> getLazyResolutionProxyClass(DependencyDescriptor descriptor, String beanName) {
        return delegate.getLazyResolutionProxyClass(descriptor, beanName);
    }

    @Override
    public AutowireCandidateResolver cloneIfNecessary() {
        return new RpcReferenceParameterResolver(delegate.cloneIfNecessary(), beanFactory, proxies);
    }
}
