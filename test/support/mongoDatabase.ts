import { MongoClient } from "mongodb";

/** Removes a database a test made, with its collections. */
export async function dropDatabase(url: string, database: string): Promise<void> {
  const client = await MongoClient.connect(url, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
}
