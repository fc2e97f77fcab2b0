package io.cascade.deploy;

import io.cascade.media.MemoryBudget;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;

import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The node's health checks, answered by Vert.x's {@link HealthCheckHandler}: JSON like
 * {@code {"status":"UP","checks":[{"id":"listeners","status":"UP","data":{...}}],"outcome":"UP"}}, HTTP 200 when
 * every check is up and 503 when one is down.
 *
 * <ul>
 *   <li>liveness ({@code /healthz}): the process answers; restart it when this fails.</li>
 *   <li>readiness ({@code /readyz}): every configured listener is up and the node is in its cluster; send it
 *   traffic only then. Down while the node starts, while it is drained, while its memory budget takes no new
 *   publisher, and from the moment it begins to stop.</li>
 * </ul>
 */
final class NodeHealth {
    enum State { STARTING, READY, STOPPING }

    private final HealthChecks liveness;
    private final HealthChecks readiness;
    private volatile State state = State.STARTING;
    private volatile boolean draining;
    private volatile JsonObject listeners = new JsonObject();

    NodeHealth(Vertx vertx, String nodeId, IntSupplier clusterMembers, MemoryBudget memory) {
        liveness = HealthChecks.create(vertx)
                .register("node", p -> p.complete(Status.OK(new JsonObject().put("node", nodeId))));
        readiness = HealthChecks.create(vertx)
                .register("listeners", p -> {
                    State s = state;
                    p.complete(new Status().setOk(s == State.READY).setData(listeners.copy()
                            .put("state", s.name().toLowerCase(Locale.ROOT))));
                })
                .register("drain", p -> p.complete(new Status().setOk(!draining)
                        .setData(new JsonObject().put("draining", draining))))
                .register("cluster", p -> {
                    int members = clusterMembers.getAsInt();
                    p.complete(new Status().setOk(members > 0).setData(new JsonObject().put("members", members)));
                })
                .register("memory", p -> p.complete(new Status().setOk(memory.admitsPublisher()).setData(new JsonObject()
                        .put("heldBytes", memory.heapHeld()).put("budgetBytes", memory.heapLimit())
                        .put("directBytes", memory.directUsed()).put("directLimitBytes", memory.directLimit()))));
    }

    Handler<RoutingContext> livenessHandler() {
        return HealthCheckHandler.createWithHealthChecks(liveness);
    }

    Handler<RoutingContext> readinessHandler() {
        return HealthCheckHandler.createWithHealthChecks(readiness);
    }

    /** Every listener is up: {@code listeners} maps each name to its address, shown in the check's data. */
    void ready(JsonObject listeners) {
        this.listeners = listeners.copy();
        state = State.READY;
    }

    /** The node is drained (or back in service): readiness is down while it is, so balancers send it nobody new. */
    void draining(boolean drain) {
        this.draining = drain;
    }

    /** The node begins to stop: readiness goes down first, so balancers stop sending traffic. */
    void stopping() {
        state = State.STOPPING;
    }
}
