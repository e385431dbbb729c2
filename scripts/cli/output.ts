/**
 * Standard output of `flowlogs`: buffers lines and writes them in large
 * chunks, honouring backpressure; writes lent bytes as they come.
 */
class Output {
  private buffer: string[] = [];
  private size = 0;
  private readonly stream: NodeJS.WritableStream;

  constructor(stream: NodeJS.WritableStream) {
    this.stream = stream;
  }

  async line(text: string): Promise<void> {
    this.buffer.push(text);
    this.size += text.length + 1;
    if (this.size >= 1 << 16) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.size = 0;
    await this.bytes(text);
  }

  /**
   * Writes bytes whose memory is reused once this resolves (the JSON lines
   * of a scan): waits until the stream has handed them on, not just queued
   * them.
   */
  async lent(chunk: Uint8Array): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.stream.write(chunk, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Writes bytes (after a flush), waiting while the stream is full. */
  async bytes(chunk: Uint8Array | string): Promise<void> {
    if (!this.stream.write(chunk)) {
      await new Promise((resolve) => this.stream.once('drain', resolve));
    }
  }
}

export { Output };
