package io.cascade.vod;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.concurrent.Executor;

/**
 * A {@link PacedFile}'s host on Vert.x: its owner's event loop and timers, and the node's file-reading threads
 * ({@link VodLibrary#host}), which no event loop ever blocks on.
 */
final class VertxFileHost implements PacedFile.Host {
    private final Vertx vertx;
    private final Context context;
    private final Executor workers;

    VertxFileHost(Vertx vertx, Context context, Executor workers) {
        this.vertx = vertx;
        this.context = context;
        this.workers = workers;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void onWorker(Runnable task) {
        // unordered: one task per file at a time is PacedFile's own rule, and files must not wait for each other
        workers.execute(task);
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
