-- CreateTable
CREATE TABLE "declare_request" (
    "declare_key" TEXT NOT NULL,
    "request" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "declare_request_pkey" PRIMARY KEY ("declare_key")
);

-- CreateIndex
CREATE INDEX "declare_request_received_at_idx" ON "declare_request"("received_at");
