/**
 * Packaging shared by two roles: segments cut where a stream is ingested become HLS and DASH here, for the edge
 * role's HTTP delivery and for the origin role's file outputs ({@link io.cascade.packaging.files}). Both follow
 * streams through the node's stream hubs, which is why this lives beside them rather than in the origin module.
 */
package io.cascade.packaging;
