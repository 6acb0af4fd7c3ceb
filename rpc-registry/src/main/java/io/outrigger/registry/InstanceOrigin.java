package io.outrigger.registry;

/** Where a list of instances delivered by {@link ZooKeeperRegistry} comes from. */
public enum InstanceOrigin {

    /** Read from ZooKeeper: the current truth, as far as the registry knows. */
    REGISTRY,

    /**
     * Read from the file cache at startup, because ZooKeeper was not reachable within the startup
     * wait (or listed nothing while the file did). Replaced by {@link #REGISTRY} once ZooKeeper answers.
     */
    FILE_CACHE,

    /**
     * ZooKeeper's list with some removals held back by push protection: the removed instances are
     * still listed until a re-read after the confirmation delay confirms that they are gone.
     */
    PROTECTED
}
