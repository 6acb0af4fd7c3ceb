package io.outrigger.architecture;

/**
 * One reviewed public signature that names a Netty or internal type: the public class whose
 * signature does, the exposed type (fully qualified names both), and why it is tolerated for now.
 */
record KnownApiExposure(String publicType, String exposedType, String reason) {}
