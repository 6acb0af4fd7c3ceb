package io.outrigger.core.testing;

/** The heap a test sees, for checks that memory stays bounded. */
public final class Heap {

    private Heap() {}

    /**
     * Heap in use after asking for three full collections, in bytes. A best effort: {@code
     * System.gc()} is a hint, and the short pause after each lets a concurrent collector finish
     * (there is no condition to wait for).
     */
    public static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
