package io.outrigger.architecture;

/**
 * One reviewed use of another module's internal type: the module that uses it, the type's fully
 * qualified name, and why the use is tolerated for now.
 */
record KnownInternalUse(OutriggerModule user, String type, String reason) {}
