"""The same compute on a dask.distributed cluster, for data past one machine: sharded inputs (formats/tables/
shards.py), a cluster to run on (cluster.py: a LocalCluster of N worker processes, or an existing scheduler), and
the methods done shard by shard on the workers (pca.py: exact PCA, coordinates written as shards row for row)."""

from __future__ import annotations

from .cluster import cluster_client
from .pca import DistributedPCA, distributed_pca

__all__ = ["DistributedPCA", "cluster_client", "distributed_pca"]
