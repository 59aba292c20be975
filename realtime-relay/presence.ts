import type postgres from 'postgres';
import type { Server } from 'socket.io';

/** What the relay keeps on each socket (`socket.data`); other relays read it through the adapter. */
export interface SocketData {
  userId: string;
  /** When the handshake was accepted (ms since the epoch): the older socket of a user speaks first. */
  connectedAt: number;
  /** Events up to this id are not sent again to this socket (what it caught up on, or said it has). */
  floor: number;
}

export const userRoom = (userId: string) => `user:${userId}`;

interface Peer {
  id: string;
  data: Partial<SocketData>;
}

/** True when `a` connected before `b` (ties broken by socket id, the same on every relay). */
const older = (a: Peer, b: Peer) =>
  (a.data.connectedAt ?? 0) < (b.data.connectedAt ?? 0) ||
  (a.data.connectedAt === b.data.connectedAt && a.id < b.id);

/**
 * Presence across relays, through the Socket.io adapter: `presence:online` when a user's first
 * socket anywhere connects, `presence:offline` when their last one anywhere leaves, sent to
 * everyone who shares a conversation with them (their rooms, on every relay).
 *
 * "First" is decided after the socket joined its room, from every relay's sockets of that user:
 * the socket speaks when no older one of the same user exists. Two sockets connecting at once on
 * two relays therefore never both stay silent (the older of them speaks); at worst a peer hears
 * `online` twice. "Last" is decided after the socket left: no socket of the user remains.
 */
export class Presence {
  constructor(
    private readonly io: Server,
    private readonly sql: postgres.Sql,
    private readonly onError: (event: string, error: unknown) => void,
  ) {}

  /** The user's sockets on every relay; only this relay's when another relay does not answer. */
  private async socketsOf(userId: string): Promise<Peer[]> {
    try {
      return await this.io.in(userRoom(userId)).fetchSockets();
    } catch (e) {
      this.onError('presence_lookup_failed', e);
      return await this.io.local.in(userRoom(userId)).fetchSockets();
    }
  }

  async connected(socket: Peer & { data: SocketData }): Promise<void> {
    const sockets = await this.socketsOf(socket.data.userId);
    if (sockets.some((s) => s.id !== socket.id && older(s, socket))) return;
    await this.tell(socket.data.userId, 'presence:online');
  }

  async disconnected(userId: string): Promise<void> {
    if ((await this.socketsOf(userId)).length > 0) return;
    await this.tell(userId, 'presence:offline');
  }

  /** Sends `event` {user_id} to the rooms of the users sharing a conversation with `userId`. */
  private async tell(userId: string, event: 'presence:online' | 'presence:offline') {
    const peers = await this.sql<{ peer: string }[]>`
      select case when patient_id = ${userId} then practitioner_id else patient_id end as peer
      from public.conversations
      where patient_id = ${userId} or practitioner_id = ${userId}`;
    if (peers.length === 0) return;
    this.io.to(peers.map((p) => userRoom(p.peer))).emit(event, { user_id: userId });
  }
}
