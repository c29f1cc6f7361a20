# One image for both roles: `npm run api` or `npm run worker` (see docker-compose.yml).
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund
COPY flows ./flows
COPY src ./src
COPY migrations ./migrations
COPY tsconfig.json drizzle.config.ts ./
ENV HOST=0.0.0.0 PORT=3000 NODE_ENV=production
EXPOSE 3000
CMD ["npm", "run", "api"]
