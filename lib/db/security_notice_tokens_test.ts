import assert from "node:assert/strict";
import {
  deleteNoticeTokens,
  findNoticeToken,
  insertNoticeToken,
  takeNoticeToken,
} from "./security_notice_tokens.ts";
import { dbTest } from "./testing.ts";
import { createUser, deleteUser } from "./users.ts";

const hash = () => crypto.getRandomValues(new Uint8Array(32));

dbTest(
  "notice tokens: found by hash, taken once, deleted per user and with the user",
  async (db) => {
    const user = await createUser(db, {
      email: "n@example.com",
      username: "n",
    });
    const other = await createUser(db, {
      email: "o@example.com",
      username: "o",
    });
    const row = {
      userId: user.id,
      event: "auth.sign_in",
      createdAt: 1,
      expiresAt: 2,
    };
    const a = hash();
    const b = hash();
    const c = hash();
    await insertNoticeToken(db, a, row);
    await insertNoticeToken(db, b, row);
    await insertNoticeToken(db, c, { ...row, userId: other.id });

    assert.deepEqual(await findNoticeToken(db, a), row);
    assert.equal(await findNoticeToken(db, hash()), null);
    assert.deepEqual(await takeNoticeToken(db, a), row);
    assert.equal(await takeNoticeToken(db, a), null, "single use");
    assert.equal(await deleteNoticeTokens(db, user.id), 1);
    assert.equal(await findNoticeToken(db, b), null);
    assert.ok(await findNoticeToken(db, c), "another user's stays");
    await deleteUser(db, other.id);
    assert.equal(await findNoticeToken(db, c), null, "cascade");
    // Only 32-byte hashes are stored.
    await assert.rejects(() => insertNoticeToken(db, new Uint8Array(8), row));
  },
);
