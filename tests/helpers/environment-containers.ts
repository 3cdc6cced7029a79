import type Docker from 'dockerode';

/** Removes every container GenOS made for these environments (by its genos.env label). */
export async function removeEnvironmentContainers(docker: Docker, envIds: string[]) {
  for (const id of envIds) {
    const containers = await docker.listContainers({
      all: true,
      filters: { label: [`genos.env=${id}`] },
    });
    for (const c of containers)
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
  }
}
