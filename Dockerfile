# One image for both roles: `npm run api` or `npm run worker` (see docker-compose.yml).
# Built in one stage (npm install compiles the service into dist/), run from another that
# holds the runtime dependencies only.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY flows ./flows
COPY src ./src
RUN npm install --no-audit --no-fund && npm prune --omit=dev

FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY flows ./flows
COPY src ./src
COPY migrations ./migrations
COPY web ./web
# Built after the sources' own times (COPY keeps them), so launch.mjs runs the build.
COPY --from=build /app/dist ./dist
ENV HOST=0.0.0.0 PORT=3000 NODE_ENV=production
EXPOSE 3000
CMD ["npm", "run", "api"]
