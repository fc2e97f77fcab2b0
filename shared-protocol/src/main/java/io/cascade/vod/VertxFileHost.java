package io.cascade.vod;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/**
 * A {@link PacedFile}'s host on Vert.x: its owner's event loop, and the node's pool of file-reading threads, which
 * no event loop ever blocks on and which keep file reads from queueing behind the cluster's blocking calls.
 */
public final class VertxFileHost implements PacedFile.Host {
    /** Threads that read files for plays and pulls on one node: reads are short, positional and read ahead. */
    public static final int READ_THREADS = 4;
    /** The pool's name: every user on a node shares it. */
    public static final String POOL = "cascade-file-reads";

    private final Vertx vertx;
    private final Context context;
    private final WorkerExecutor workers;

    public VertxFileHost(Vertx vertx, Context context, WorkerExecutor workers) {
        this.vertx = vertx;
        this.context = context;
        this.workers = workers;
    }

    /** A handle on the node's shared pool; close it when its user stops. */
    public static WorkerExecutor pool(Vertx vertx) {
        return vertx.createSharedWorkerExecutor(POOL, READ_THREADS);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void onWorker(Runnable task) {
        // unordered: one task per file at a time is PacedFile's own rule, and files must not wait for each other
        workers.executeBlocking(() -> {
            task.run();
            return null;
        }, false);
    }

    @Override
    public void onOwner(Runnable task) {
        context.runOnContext(v -> task.run());
    }

    @Override
    public long timer(long delayMillis, Runnable task) {
        return vertx.setTimer(Math.max(1, delayMillis), id -> task.run());
    }

    @Override
    public void cancelTimer(long id) {
        vertx.cancelTimer(id);
    }
}
