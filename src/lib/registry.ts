/**
 * Things registered by name: the allocator models (src/allocators/registry.ts) and the workloads
 * (src/workloads/registry.ts). Listing order is registration order; a name is registered once.
 */
export class Registry<T extends { readonly name: string }> {
  private readonly items = new Map<string, T>();

  /** `kind` names one item in messages ('allocator'); `unknown` builds the error for a name not registered. */
  constructor(
    private readonly kind: string,
    private readonly unknown: (name: string) => Error,
  ) {}

  register(item: T): void {
    if (this.items.has(item.name)) throw new Error(`${this.kind} '${item.name}' is registered twice`);
    this.items.set(item.name, item);
  }

  names(): string[] {
    return [...this.items.keys()];
  }

  all(): T[] {
    return [...this.items.values()];
  }

  has(name: string): boolean {
    return this.items.has(name);
  }

  /** The item, or undefined. */
  find(name: string): T | undefined {
    return this.items.get(name);
  }

  /** The item, or the registry's error naming the valid names. */
  get(name: string): T {
    const item = this.items.get(name);
    if (item === undefined) throw this.unknown(name);
    return item;
  }
}
