/**
 * Implementation details of {@code rpc-serialization}. Not an API: anything here may change or
 * disappear in any release.
 */
package io.outrigger.serialization.internal;
